package dev.fanout.execution;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fanout.core.Backoff;
import dev.fanout.core.Json;
import dev.fanout.core.TaskSpec;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.FunctionRegistry;
import dev.fanout.spi.TaskFunction;
import dev.fanout.store.NewBatch;
import dev.fanout.store.Store;
import dev.fanout.store.StoreEvents;
import dev.fanout.store.StoredBatch;
import dev.fanout.store.memory.MemoryStore;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantReadWriteLock;

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
public final class Engine implements AutoCloseable, Journal.Listener, StoreEvents {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());
    private static final Duration CANCEL_WAIT = Duration.ofSeconds(10);

    private final FunctionRegistry functions;
    private final Map<String, Backend> backends;
    private final Backend ioBackend;
    private final Router router;
    private final EngineConfig config;
    private final EngineListener listener;
    private final Store store;
    private final Journal journal;
    private final Followers followers = new Followers();
    private final String instance = UUID.randomUUID().toString();
    private final Backoff retryBackoff;
    private final Semaphore ioPermits;
    private final ScheduledThreadPoolExecutor timer;
    private final Map<String, BatchRun> runs = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean shuttingDown;

    /**
     * @param backends  by name; {@code ioBackend} runs IO functions, CPU functions go to the batch's cpuBackend
     * @param router    null for that default routing
     * @param store     where batches live; the engine takes it over (and closes it)
     */
    public Engine(FunctionRegistry functions, Map<String, Backend> backends, String ioBackend, Router router,
                  EngineConfig config, EngineListener listener, Store store) {
        this.functions = functions;
        this.backends = Map.copyOf(backends);
        this.ioBackend = backends.get(ioBackend);
        if (this.ioBackend == null) {
            throw new IllegalArgumentException("no backend named '" + ioBackend + "' among " + backends.keySet());
        }
        this.router = router != null ? router : this::defaultRoute;
        this.config = config;
        this.listener = listener;
        this.store = store;
        this.journal = new Journal(store, instance, this);
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
        long now = System.currentTimeMillis();
        for (String id : store.claim(instance, now, now + config.leaseDuration().toMillis(), !store.shared(),
                Integer.MAX_VALUE)) {
            resume(id);
        }
        if (store.shared()) {
            store.listen(this);
            long every = Math.max(100, config.leaseDuration().toMillis() / 3);
            timer.scheduleWithFixedDelay(() -> spawn(this::upkeep), every, every, TimeUnit.MILLISECONDS);
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
        // held from the check to the registration: shutdown's list of running batches then has every one it let in
        lifecycle.readLock().lock();
        try {
            if (shuttingDown) {
                throw new ShuttingDownException();
            }
            checkBackends(tasks, options);
            if (journal.unavailableReason() != null) {
                throw new StoreUnavailableException(journal.unavailableReason());
            }
            if (runs.size() >= config.maxRunningBatches()) {
                throw new TooManyBatchesException(config.maxRunningBatches());
            }
            String id = UUID.randomUUID().toString();
            Instant now = Instant.now();
            String stored = store.create(new NewBatch(id, json(options), now.toEpochMilli(), tasks, idempotencyKey,
                    requestHash, instance, now.toEpochMilli() + config.leaseDuration().toMillis()));
            if (!stored.equals(id)) {
                return new Submitted(find(stored).orElseThrow(), true);
            }
            Batch batch = new Batch(id, now, tasks, options);
            run(batch, null);
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

    private void checkBackends(List<TaskSpec> tasks, BatchOptions options) {
        Set<Backend> needed = Collections.newSetFromMap(new IdentityHashMap<>());
        for (TaskSpec task : tasks) {
            needed.add(backend(task, options));
        }
        for (Backend b : needed) {
            if (b.unavailableReason() != null) {
                throw new BackendUnavailableException(b.name(), b.unavailableReason());
            }
        }
    }

    private void run(Batch batch, StoredBatch stopped) {
        BatchRun run = new BatchRun(this, batch, journal);
        runs.put(batch.id(), run);
        if (stopped != null && stopped.stopReason() != null) {
            run.cancel(stopped.stoppedByClient(), stopped.stopReason()); // asked before a crash: still in force
        }
        run.start();
    }

    /** Takes up a batch this instance now owns in the store: what has a result stays, the rest runs. */
    private void resume(String id) {
        try {
            store.load(id).ifPresent(r -> {
                BatchOptions options = options(r.batch().options());
                Batch batch = new Batch(id, Instant.ofEpochMilli(r.batch().createdAt()), r.tasks(), options,
                        r.batch().maxSeq());
                LOG.log(System.Logger.Level.INFO, "resuming batch " + id + ": " + batch.completedCount() + " of "
                        + batch.total() + " tasks have their result");
                run(batch, r.batch());
            });
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "could not resume batch " + id + "; another try at the next upkeep", e);
            store.release(instance);
        }
    }

    public Optional<BatchView> find(String id) {
        BatchRun run = runs.get(id);
        if (run != null) {
            return Optional.of(run.batch());
        }
        return store.find(id).map(row -> new StoredView(this, store, row));
    }

    /** Newest first. */
    public List<BatchStatus> list(int offset, int limit) {
        return store.list(offset, limit).stream().map(row -> {
            BatchRun run = runs.get(row.id());
            return run != null ? run.batch().status() : StoredView.status(row);
        }).toList();
    }

    public int batchCount() {
        return store.count();
    }

    public long runningBatchCount() {
        return runs.size();
    }

    /**
     * Cancels a batch: pending tasks become CANCELLED, running ones are stopped, wherever it runs (the request is
     * stored first, so that it holds across a crash). Answers it once finished, or as it stands after a while.
     */
    public Optional<BatchView> cancel(String id) {
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
        lifecycle.readLock().lock();
        try {
            if (shuttingDown) {
                throw new ShuttingDownException();
            }
            if (runs.containsKey(id)) {
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
            BatchOptions options = options(row.get().options()).with(taskTimeout, retries, maxConcurrency);
            long now = System.currentTimeMillis();
            if (!store.redrive(id, json(options), instance, now + config.leaseDuration().toMillis())) {
                throw new BatchRunningException(id);
            }
            resume(id);
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

    /** Keeps this instance's leases, gives up the batches it lost, takes over those nobody holds any more. */
    private void upkeep() {
        try {
            long now = System.currentTimeMillis();
            long until = now + config.leaseDuration().toMillis();
            Set<String> held = store.renew(instance, until, List.copyOf(runs.keySet()));
            for (BatchRun run : List.copyOf(runs.values())) {
                if (!held.contains(run.batch().id()) && !run.batch().allResultsIn()) {
                    lost(run.batch());
                }
            }
            for (Store.StopRequest stop : store.stopRequests(instance)) {
                BatchRun run = runs.get(stop.batchId());
                if (run != null) {
                    run.cancel(stop.byClient(), stop.reason());
                }
            }
            if (!shuttingDown) {
                for (String id : store.claim(instance, now, until, false, 16)) {
                    resume(id);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "store upkeep failed, trying again: " + e.getMessage());
        }
    }

    // ---- what the journal and the store tell ----

    @Override
    public void ended(Batch batch) {
        runs.remove(batch.id());
        listener.batchFinished(batch);
        if (!store.durable()) {
            expire(); // a memory store bounds what it keeps at each end: its bounds are the heap's
        }
    }

    @Override
    public void lost(Batch batch) {
        BatchRun run = runs.remove(batch.id());
        if (run != null && !run.isAbandoned()) {
            LOG.log(System.Logger.Level.WARNING, "batch " + batch.id() + " is run by another instance now; "
                    + "this one stops running it");
            run.abandon();
        }
    }

    @Override
    public void resultsStored(String batchId) {
        followers.wake(batchId);
    }

    @Override
    public void stopRequested(String batchId) {
        BatchRun run = runs.get(batchId);
        if (run != null) {
            store.find(batchId).filter(r -> r.stopReason() != null)
                    .ifPresent(r -> run.cancel(r.stoppedByClient(), r.stopReason()));
        }
        followers.wake(batchId);
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
            active = List.copyOf(runs.values());
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
            throw new IllegalStateException("a batch never completes exceptionally", e);
        }
    }

    public Map<String, Backend> backends() {
        return backends;
    }

    public FunctionRegistry functions() {
        return functions;
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
        for (BatchRun run : List.copyOf(runs.values())) {
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
        for (Backend b : backends.values()) {
            b.close();
        }
        store.close();
    }

    // ---- for BatchRun and the views ----

    TaskFunction function(TaskSpec task) {
        return functions.find(task.function())
                .orElseThrow(() -> new IllegalStateException("unvalidated task with unknown function " + task.function()));
    }

    Backend backend(TaskSpec task, BatchOptions options) {
        return router.route(function(task), options);
    }

    private Backend defaultRoute(TaskFunction function, BatchOptions options) {
        if (function.kind() == FunctionKind.IO) {
            return ioBackend;
        }
        Backend b = backends.get(options.cpuBackend());
        if (b == null) {
            throw new IllegalStateException("no backend named '" + options.cpuBackend() + "' on this instance");
        }
        return b;
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

    Followers followers() {
        return followers;
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

    private static String json(BatchOptions options) {
        try {
            return Json.mapper().writeValueAsString(options);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("options always serialise", e);
        }
    }

    private static BatchOptions options(String json) {
        try {
            return Json.mapper().readValue(json, BatchOptions.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored options are not readable: " + e.getMessage(), e);
        }
    }
}
