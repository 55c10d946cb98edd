package dev.fanout.execution.engine;

import dev.fanout.execution.durability.Journal;
import dev.fanout.execution.durability.StoredBatches;
import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.execution.batch.BatchState;
import dev.fanout.execution.batch.BatchStatus;
import dev.fanout.execution.batch.BatchView;
import dev.fanout.core.Backoff;
import dev.fanout.core.TaskSpec;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.TaskFunction;
import dev.fanout.store.NewBatch;
import dev.fanout.store.Quota;
import dev.fanout.store.QuotaExceededException;
import dev.fanout.store.Store;
import dev.fanout.store.StoredBatch;
import dev.fanout.store.memory.MemoryStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * Runs batches: the framework-free heart of fanout. Tasks must be validated before {@link #submit} (known
 * functions, unique ids, options in range); from there on every task gets exactly one result, across restarts of this
 * instance and takeovers by others when the store is durable.
 *
 * <pre>
 *  submit -> store.create (durable) -> BatchRun (feeder, backends) -> Journal (group commit) -> visible
 *  start  -> store.claim (batches left RUNNING) -> load -> BatchRun of what has no result
 *  upkeep (shared store): renew leases (lost: abandon), claim batches whose owner's lease ran out, stop requests
 *  find/list/cancel/redrive: this instance's runs first, then the store
 * </pre>
 */
public final class Engine implements AutoCloseable, Journal.Listener {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());
    private static final Duration CANCEL_WAIT = Duration.ofSeconds(10);

    private final Routes routes;
    private final EngineConfig config;
    private final EngineListener listener;
    private final Store store;
    private final Journal journal;
    private final Leases leases;
    private final String instance = UUID.randomUUID().toString();
    private final Backoff retryBackoff;
    private final Semaphore ioPermits;
    private final ScheduledThreadPoolExecutor timer;
    private final LocalRuns runs;
    private final StoredBatches stored;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean shuttingDown;

    /**
     * @param backends  by name; {@code ioBackend} runs IO functions, CPU functions go to the batch's cpuBackend
     * @param router    null for that default routing
     * @param store     where batches live; the engine takes it over (and closes it)
     */
    public Engine(FunctionRegistry functions, Map<String, Backend> backends, String ioBackend, Router router,
                  EngineConfig config, EngineListener listener, Store store) {
        this.routes = new Routes(functions, backends, ioBackend, router);
        this.config = config;
        this.listener = listener;
        this.store = store;
        this.journal = new Journal(store, instance, this);
        this.runs = new LocalRuns(this, store, journal);
        this.stored = new StoredBatches(store, (action, delay) -> schedule(action, delay.toNanos(),
                TimeUnit.NANOSECONDS));
        this.leases = new Leases(this, store, instance, config.leaseDuration());
        this.retryBackoff = new Backoff(config.retryBackoff(), config.maxRetryBackoff());
        this.ioPermits = new Semaphore(config.ioMaxConcurrency());
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "fanout-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        long sweep = Math.max(1, Math.min(60, config.retention().toSeconds() / 4));
        timer.scheduleWithFixedDelay(() -> spawn(this::expire), sweep, sweep, TimeUnit.SECONDS);
    }

    /** An engine whose batches live in this process's heap only (the memory store, bounded by {@code config}). */
    public Engine(FunctionRegistry functions, Map<String, Backend> backends, String ioBackend, Router router,
                  EngineConfig config, EngineListener listener) {
        this(functions, backends, ioBackend, router, config, listener,
                new MemoryStore(config.maxRetainedTasks(), config.maxRetainedBytes()));
    }

    /**
     * Takes up the batches the store holds RUNNING for nobody (all of them when only this instance can open the store:
     * they were left by its previous run) and, with a shared store, keeps its leases and takes over those of instances
     * that stopped renewing theirs.
     */
    public void start() {
        Duration every = leases.start();
        if (every != null) {
            timer.scheduleWithFixedDelay(() -> spawn(leases::upkeep), every.toMillis(), every.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** The instance's name in the store (owner of its batches). */
    public String instance() {
        return instance;
    }

    public Store store() {
        return store;
    }

    /**
     * Starts a batch once the store has it and every task. The tasks are run in input order, as far as the batch's
     * maxConcurrency allows.
     *
     * @param idempotencyKey null, or the client's key: a second request with the same key answers the same batch
     * @param requestHash    a digest of the request (with a key): the same key with another request is refused
     * @return the new batch, or the earlier batch of the same key
     * @throws BackendUnavailableException when a backend the batch needs cannot take work: refused whole, at once
     * @throws StoreUnavailableException   when the store cannot take the batch
     */
    public Submitted submit(List<TaskSpec> tasks, BatchOptions options, String idempotencyKey, String requestHash) {
        return submit(tasks, options, idempotencyKey, requestHash, Caller.ANONYMOUS, Quota.NONE);
    }

    /**
     * As {@link #submit(List, BatchOptions, String, String)}, for {@code caller}: the batch is its name's, its
     * Idempotency-Key is looked up among that name's batches, and {@code quota} (the name's) is checked in the store.
     *
     * @throws QuotaExceededException when the batch would take the caller's name past its quota: nothing stored
     */
    public Submitted submit(List<TaskSpec> tasks, BatchOptions options, String idempotencyKey, String requestHash,
                            Caller caller, Quota quota) {
        // held from the check to the registration: shutdown's list of running batches then has every one it let in
        lifecycle.readLock().lock();
        try {
            if (shuttingDown) {
                throw new ShuttingDownException();
            }
            routes.checkAvailable(tasks, options);
            if (journal.unavailableReason() != null) {
                throw new StoreUnavailableException(journal.unavailableReason());
            }
            if (runs.size() >= config.maxRunningBatches()) {
                throw new TooManyBatchesException(config.maxRunningBatches());
            }
            String id = UUID.randomUUID().toString();
            Instant now = Instant.now();
            String stored = store.create(new NewBatch(id, options.json(), now.toEpochMilli(), tasks, idempotencyKey,
                    requestHash, instance, now.toEpochMilli() + config.leaseDuration().toMillis(), caller.name(),
                    Math.min(options.maxConcurrency(), tasks.size()), quota));
            if (!stored.equals(id)) {
                return new Submitted(find(stored).orElseThrow(), true);
            }
            Batch batch = new Batch(id, caller.name(), now, tasks, options);
            LOG.log(System.Logger.Level.INFO, "batch " + id + " accepted: " + tasks.size() + " tasks, for "
                    + caller.name());
            runs.start(batch, null, EngineListener.Start.ACCEPTED);
            return new Submitted(batch, false);
        } catch (dev.fanout.store.StoreException e) {
            throw new StoreUnavailableException(e.getMessage());
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Starts a new batch (without an idempotency key). */
    public Batch submit(List<TaskSpec> tasks, BatchOptions options) {
        return (Batch) submit(tasks, options, null, null).batch();
    }

    /** What a submission got: a batch, new or the earlier one of the same idempotency key ({@code repeated}). */
    public record Submitted(BatchView batch, boolean repeated) {
    }

    public Optional<BatchView> find(String id) {
        BatchRun run = runs.get(id);
        if (run != null && !run.batch().handedOver()) {
            return Optional.of(run.batch());
        }
        return store.find(id).map(stored::view);
    }

    /** The batch if {@code caller} may see it: another name's batch is not found, as an unknown id. */
    public Optional<BatchView> find(String id, Caller caller) {
        return find(id).filter(b -> caller.sees(b.tenant()));
    }

    /** Newest first. */
    public List<BatchStatus> list(int offset, int limit) {
        return list(Caller.ANONYMOUS, null, offset, limit);
    }

    /** Newest first, only those in {@code state} (null: all). */
    public List<BatchStatus> list(BatchState state, int offset, int limit) {
        return list(Caller.ANONYMOUS, state, offset, limit);
    }

    /** Newest first, those {@code caller} may see in {@code state} (null: all). */
    public List<BatchStatus> list(Caller caller, BatchState state, int offset, int limit) {
        return store.list(caller.scope(), state == null ? null : state.name(), offset, limit).stream().map(row -> {
            BatchRun run = runs.get(row.id());
            return run != null ? run.batch().status() : StoredBatches.status(row);
        }).toList();
    }

    public int batchCount() {
        return store.count();
    }

    /** How many batches are in {@code state} (null: all). */
    public int batchCount(BatchState state) {
        return batchCount(Caller.ANONYMOUS, state);
    }

    /** How many batches {@code caller} may see in {@code state} (null: all). */
    public int batchCount(Caller caller, BatchState state) {
        return store.count(caller.scope(), state == null ? null : state.name());
    }

    public long runningBatchCount() {
        return runs.size();
    }

    /**
     * Cancels a batch: pending tasks become CANCELLED, running ones are stopped, wherever it runs (the request is
     * stored first, so that it holds across a crash). Answers it once finished, or as it stands after a while.
     */
    public Optional<BatchView> cancel(String id) {
        return cancel(id, Caller.ANONYMOUS);
    }

    /** As {@link #cancel(String)}; a batch {@code caller} may not see is not found, and nothing is asked of it. */
    public Optional<BatchView> cancel(String id, Caller caller) {
        if (!caller.admin() && find(id, caller).isEmpty()) {
            return Optional.empty(); // before the stop is stored: a stranger's cancel must change nothing
        }
        String why = "batch cancelled";
        boolean running = store.requestStop(id, why, true);
        BatchRun run = runs.get(id);
        if (running && run != null) {
            run.cancel(true, why);
        }
        Optional<BatchView> view = find(id);
        view.ifPresent(v -> await(v.done(), CANCEL_WAIT));
        return view;
    }

    /**
     * Runs the FAILED and CANCELLED tasks of a finished batch again, keeping its successes (Step Functions' redrive),
     * with the options it had unless overridden.
     *
     * @throws BatchRunningException when it is still running
     */
    public Optional<BatchView> redrive(String id, Duration taskTimeout, Integer retries, Integer maxConcurrency) {
        return redrive(id, taskTimeout, retries, maxConcurrency, Caller.ANONYMOUS, tenant -> Quota.NONE);
    }

    /**
     * As {@link #redrive(String, Duration, Integer, Integer)}, for {@code caller}: a batch it may not see is not found
     * (before anything else, so that a stranger cannot learn that it runs), and the quota of the batch's name
     * ({@code quotas}) is checked in the store.
     */
    public Optional<BatchView> redrive(String id, Duration taskTimeout, Integer retries, Integer maxConcurrency,
                                       Caller caller, Function<String, Quota> quotas) {
        lifecycle.readLock().lock();
        try {
            if (shuttingDown) {
                throw new ShuttingDownException();
            }
            if (!caller.admin() && find(id, caller).isEmpty()) {
                return Optional.empty();
            }
            if (runs.get(id) != null) {
                throw new BatchRunningException(id);
            }
            Optional<StoredBatch> row = store.find(id);
            if (row.isEmpty()) {
                return Optional.empty();
            }
            if (row.get().isRunning()) {
                throw new BatchRunningException(id);
            }
            if (runs.size() >= config.maxRunningBatches()) {
                throw new TooManyBatchesException(config.maxRunningBatches());
            }
            BatchOptions options = BatchOptions.fromJson(row.get().options()).with(taskTimeout, retries, maxConcurrency);
            long now = System.currentTimeMillis();
            StoredBatch r = row.get();
            Quota quota = r.tenant() == null ? Quota.NONE : quotas.apply(r.tenant());
            if (!store.redrive(id, options.json(), instance, now + config.leaseDuration().toMillis(),
                    Math.min(options.maxConcurrency(), r.failed() + r.cancelled()), quota)) {
                throw new BatchRunningException(id);
            }
            LOG.log(System.Logger.Level.INFO, "batch " + id + " redriven: its " + (row.get().failed()
                    + row.get().cancelled()) + " failed and cancelled tasks run again, its " + row.get().succeeded()
                    + " successes stay");
            runs.resume(id, true);
            return find(id);
        } catch (dev.fanout.store.StoreException e) {
            throw new StoreUnavailableException(e.getMessage());
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Drops finished batches beyond the retention (by time, count, and for the memory store tasks and bytes). */
    void expire() {
        expire(Instant.now());
    }

    void expire(Instant now) {
        try {
            store.expire(now.minus(config.retention()).toEpochMilli(), config.maxRetainedBatches());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not expire old batches: " + e.getMessage());
        }
    }

    // ---- what the journal and the store tell ----

    @Override
    public void ended(Batch batch, Instant at) {
        stored.finished(batch);
        runs.ended(batch); // first: whoever sees the batch finished may redrive it at once
        batch.ended(at);
        BatchStatus s = batch.status();
        LOG.log(System.Logger.Level.INFO, "batch " + batch.id() + " finished " + s.state() + ": " + s.succeeded()
                + " succeeded, " + s.failed() + " failed, " + s.cancelled() + " cancelled of " + s.total());
        listener.batchFinished(batch);
        if (!store.durable()) {
            expire(); // a memory store bounds what it keeps at each end: its bounds are the heap's
        }
    }

    @Override
    public void lost(Batch batch) {
        runs.lost(batch);
    }

    // ---- shutdown ----

    /**
     * The first half of a graceful stop: no new batch is taken, running ones get up to {@code grace} to finish. Then,
     * with a durable store, the rest is left RUNNING in the store for the next run or another instance (nothing is
     * cancelled: a deploy must not cost work); with the memory store their remaining tasks are cancelled with a result
     * saying so. Answers how many batches did not finish.
     */
    public int shutdown(Duration grace) {
        List<BatchRun> active;
        lifecycle.writeLock().lock();
        try {
            shuttingDown = true;
            active = runs.all();
        } finally {
            lifecycle.writeLock().unlock();
        }
        CompletableFuture<?> all = CompletableFuture.allOf(
                active.stream().map(r -> r.batch().done()).toArray(CompletableFuture[]::new));
        if (await(all, grace)) {
            return 0;
        }
        int left = 0;
        for (BatchRun r : active) {
            if (!r.batch().isFinished()) {
                left++;
                if (store.durable()) {
                    r.abandon();
                } else {
                    r.shutDown();
                }
            }
        }
        if (!store.durable()) {
            active.forEach(r -> await(r.batch().done(), Duration.ofSeconds(10)));
        }
        return left;
    }

    private static boolean await(CompletableFuture<?> f, Duration wait) {
        try {
            f.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true; // handed over (HandedOverException): this instance has no more to wait for
        }
    }

    public Map<String, Backend> backends() {
        return routes.backends();
    }

    public FunctionRegistry functions() {
        return routes.functions();
    }

    /** Null while the store takes writes; otherwise why not (readiness). */
    public String storeUnavailableReason() {
        return journal.unavailableReason();
    }

    /**
     * Stops everything: with a durable store running batches are left for the next run (what was done is written
     * first, and the leases given up); with the memory store they are cancelled. Then the backends stop.
     */
    @Override
    public void close() {
        shuttingDown = true;
        for (BatchRun run : runs.all()) {
            if (store.durable()) {
                run.abandon();
            } else {
                run.cancel(true, "batch cancelled");
            }
        }
        journal.close();
        if (store.durable()) {
            try {
                store.release(instance);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not give up leases: " + e.getMessage());
            }
        }
        timer.shutdownNow();
        for (Backend b : routes.backends().values()) {
            b.close();
        }
        store.close();
    }

    // ---- for BatchRun and the views ----

    TaskFunction function(TaskSpec task) {
        return routes.function(task);
    }

    Backend backend(TaskSpec task, BatchOptions options) {
        return routes.backend(task, options);
    }

    Semaphore ioPermits() {
        return ioPermits;
    }

    EngineConfig config() {
        return config;
    }

    Backoff retryBackoff() {
        return retryBackoff;
    }

    EngineListener listener() {
        return listener;
    }

    StoredBatches stored() {
        return stored;
    }

    LocalRuns runs() {
        return runs;
    }

    boolean isShuttingDown() {
        return shuttingDown;
    }

    /** The run of a batch of this instance, for tests of this package. */
    BatchRun runOf(String id) {
        return runs.get(id);
    }

    /** Runs {@code action} later on a virtual thread, so that a slow action (a big cancel) never delays other timers. */
    ScheduledFuture<?> schedule(Runnable action, long delay, TimeUnit unit) {
        return timer.schedule(() -> spawn(action), delay, unit);
    }

    private static void spawn(Runnable action) {
        Thread.ofVirtual().name("fanout-timer-action").start(action);
    }
}
