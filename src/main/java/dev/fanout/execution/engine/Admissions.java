package dev.fanout.execution.engine;

import dev.fanout.core.TaskSpec;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.execution.durability.Journal;
import dev.fanout.store.NewBatch;
import dev.fanout.store.Quota;
import dev.fanout.store.Store;
import dev.fanout.store.StoreException;
import dev.fanout.store.StoredBatch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * Which batches start running here: a new one (submit) or a finished one again (redrive), each once the engine can
 * take it (not shutting down, its backends available, the store writable, fewer than maxRunningBatches running) and
 * the store has it, its quota checked there. Both hold the lifecycle's read lock from the checks to the run's
 * registration, and {@link #stop} its write lock: the runs a shutdown waits for are every one that was let in.
 */
final class Admissions {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());

    private final Routes routes;
    private final EngineConfig config;
    private final Store store;
    private final Journal journal;
    private final LocalRuns runs;
    private final String instance;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean shuttingDown;

    Admissions(Routes routes, EngineConfig config, Store store, Journal journal, LocalRuns runs, String instance) {
        this.routes = routes;
        this.config = config;
        this.store = store;
        this.journal = journal;
        this.runs = runs;
        this.instance = instance;
    }

    /** A submission's outcome: the new batch, or the id of the earlier one with the same Idempotency-Key. */
    record Admitted(Batch batch, String earlier) {
    }

    Admitted submit(List<TaskSpec> tasks, BatchOptions options, String idempotencyKey, String requestHash,
                  Caller caller, Quota quota) {
        lifecycle.readLock().lock();
        try {
            refuseIfShuttingDown();
            routes.checkAvailable(tasks, options);
            if (journal.unavailableReason() != null) {
                throw new StoreUnavailableException(journal.unavailableReason());
            }
            refuseIfFull();
            String id = UUID.randomUUID().toString();
            Instant now = Instant.now();
            String stored = store.create(new NewBatch(id, options.json(), now.toEpochMilli(), tasks, idempotencyKey,
                    requestHash, instance, now.toEpochMilli() + config.leaseDuration().toMillis(), caller.name(),
                    Math.min(options.maxConcurrency(), tasks.size()), quota));
            if (!stored.equals(id)) {
                return new Admitted(null, stored);
            }
            Batch batch = new Batch(id, Store.FIRST_EPOCH, caller.name(), now, tasks, options);
            LOG.log(System.Logger.Level.INFO, "batch " + id + " accepted: " + tasks.size() + " tasks, for "
                    + caller.name());
            runs.start(batch, null, EngineListener.Start.ACCEPTED,
                    now.toEpochMilli() + config.leaseDuration().toMillis());
            return new Admitted(batch, null);
        } catch (StoreException e) {
            throw new StoreUnavailableException(e.getMessage());
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * @param visible whether the caller may see the batch (asked first: a stranger learns nothing, not even that it
     *                runs)
     * @return whether the batch runs again; false when there is no such batch (for this caller)
     */
    boolean redrive(String id, Duration taskTimeout, Integer retries, Integer maxConcurrency, boolean visible,
                    Function<String, Quota> quotas) {
        lifecycle.readLock().lock();
        try {
            refuseIfShuttingDown();
            if (!visible) {
                return false;
            }
            if (runs.get(id) != null) {
                throw new BatchRunningException(id);
            }
            Optional<StoredBatch> row = store.find(id);
            if (row.isEmpty()) {
                return false;
            }
            StoredBatch r = row.get();
            if (r.isRunning()) {
                throw new BatchRunningException(id);
            }
            refuseIfFull();
            BatchOptions options = BatchOptions.fromJson(r.options()).with(taskTimeout, retries, maxConcurrency);
            long now = System.currentTimeMillis();
            long leaseUntil = now + config.leaseDuration().toMillis();
            Quota quota = r.tenant() == null ? Quota.NONE : quotas.apply(r.tenant());
            OptionalLong epoch = store.redrive(id, options.json(), instance, leaseUntil,
                    Math.min(options.maxConcurrency(), r.failed() + r.cancelled()), quota);
            if (epoch.isEmpty()) {
                throw new BatchRunningException(id);
            }
            LOG.log(System.Logger.Level.INFO, "batch " + id + " redriven: its " + (r.failed() + r.cancelled())
                    + " failed and cancelled tasks run again, its " + r.succeeded() + " successes stay");
            runs.resume(new Store.Claim(id, epoch.getAsLong()), leaseUntil, true);
            return true;
        } catch (StoreException e) {
            throw new StoreUnavailableException(e.getMessage());
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Admits nothing more; answers the runs admitted so far (all of them: no admission is half-way). */
    List<BatchRun> stop() {
        lifecycle.writeLock().lock();
        try {
            shuttingDown = true;
            return runs.all();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** Admits nothing more, at once (the engine closes: whatever is half-way is refused by the closed store). */
    void refuseAll() {
        shuttingDown = true;
    }

    boolean shuttingDown() {
        return shuttingDown;
    }

    private void refuseIfShuttingDown() {
        if (shuttingDown) {
            throw new ShuttingDownException();
        }
    }

    private void refuseIfFull() {
        if (runs.size() >= config.maxRunningBatches()) {
            throw new TooManyBatchesException(config.maxRunningBatches());
        }
    }
}
