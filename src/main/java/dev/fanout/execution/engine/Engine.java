package dev.fanout.execution.engine;

import dev.fanout.execution.durability.Journal;
import dev.fanout.execution.durability.StoredBatches;
import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.execution.batch.BatchState;
import dev.fanout.execution.batch.BatchStatus;
import dev.fanout.execution.batch.BatchView;
import dev.fanout.core.TaskSpec;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.store.Quota;
import dev.fanout.store.QuotaExceededException;
import dev.fanout.store.Store;
import dev.fanout.store.memory.MemoryStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
    private final Store store;
    private final Journal journal;
    private final Leases leases;
    private final String instance = UUID.randomUUID().toString();
    private final RunContext context;
    private final LocalRuns runs;
    private final StoredBatches stored;
    private final Admissions admissions;
    private final Stopping stopping;
    private final Retention retention;

    /**
     * @param backends  by name; {@code ioBackend} runs IO functions, CPU functions go to the batch's cpuBackend
     * @param router    null for that default routing
     * @param store     where batches live; the engine takes it over (and closes it)
     */
    public Engine(FunctionRegistry functions, Map<String, Backend> backends, String ioBackend, Router router,
                  EngineConfig config, EngineListener listener, Store store) {
        this.routes = new Routes(functions, backends, ioBackend, router);
        this.store = store;
        this.journal = new Journal(store, this);
        this.context = new RunContext(routes, config, GuardedListener.of(listener));
        this.runs = new LocalRuns(context, store, journal);
        this.stored = new StoredBatches(store, (action, delay) -> context.schedule(action, delay.toNanos(),
                TimeUnit.NANOSECONDS));
        this.admissions = new Admissions(routes, config, store, journal, runs, instance);
        this.leases = new Leases(runs, stored, admissions::shuttingDown, store, instance, config.leaseDuration());
        this.stopping = new Stopping(admissions, runs, store, journal, context, routes, instance);
        this.retention = new Retention(store, config);
        context.every(retention.period(), this::expire);
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
            context.every(every, leases::upkeep);
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
        Admissions.Admitted a = admissions.submit(tasks, options, idempotencyKey, requestHash, caller, quota);
        return a.batch() != null ? new Submitted(a.batch(), false) : new Submitted(find(a.earlier()).orElseThrow(), true);
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
        view.ifPresent(v -> Stopping.await(v.done(), CANCEL_WAIT));
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
        return admissions.redrive(id, taskTimeout, retries, maxConcurrency, caller.admin() || find(id, caller)
                .isPresent(), quotas) ? find(id) : Optional.empty();
    }

    /** Drops finished batches beyond the retention (see {@link Retention}). */
    void expire() {
        expire(Instant.now());
    }

    void expire(Instant now) {
        retention.expire(now);
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
        context.listener().batchFinished(batch);
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
        return stopping.shutdown(grace);
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
        stopping.close();
    }

    // ---- for the tests of this package ----

    LocalRuns runs() {
        return runs;
    }

    /** The run of a batch of this instance. */
    BatchRun runOf(String id) {
        return runs.get(id);
    }
}
