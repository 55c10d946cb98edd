package dev.fanout.execution.engine;

import dev.fanout.execution.durability.Journal;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.store.Store;
import dev.fanout.store.StoredBatch;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The batches this instance runs now: started here, resumed from the store (after a restart, a takeover, a redrive),
 * and given up when they end, when another instance took them over, or when the service stops.
 */
final class LocalRuns {
    private static final System.Logger LOG = System.getLogger(LocalRuns.class.getName());

    private final RunContext engine;
    private final Store store;
    private final Journal journal;
    private final Map<String, BatchRun> runs = new ConcurrentHashMap<>();

    LocalRuns(RunContext engine, Store store, Journal journal) {
        this.engine = engine;
        this.store = store;
        this.journal = journal;
    }

    /** Runs a batch here; a cancel stored for it before (a crash in between) is still in force. */
    void start(Batch batch, StoredBatch stored, EngineListener.Start how) {
        BatchRun run = new BatchRun(engine, batch, journal);
        if (runs.putIfAbsent(batch.id(), run) != null) {
            return; // runs here already (claimed again after its lease ran out while the store was away)
        }
        engine.listener().batchStarted(batch, how); // before the run can send a chunk or end
        if (stored != null && stored.stopReason() != null) {
            run.cancel(stored.stoppedByClient(), stored.stopReason());
        }
        run.start();
    }

    /**
     * Takes up a batch this instance now owns in the store: what has a result stays, the rest runs. A batch that
     * cannot be loaded is left as it is: its lease runs out and it is claimed again.
     */
    void resume(String id) {
        resume(id, false);
    }

    /** As {@link #resume(String)}; {@code redriven}: the engine redrives it (and said so). */
    void resume(String id, boolean redriven) {
        if (runs.containsKey(id)) {
            return; // still runs here: the claim only renewed a lease that ran out while the store was away
        }
        try {
            store.load(id).ifPresent(r -> {
                Batch batch = new Batch(id, r.batch().tenant(), Instant.ofEpochMilli(r.batch().createdAt()), r.tasks(),
                        BatchOptions.fromJson(r.batch().options()), r.batch().maxSeq());
                if (!redriven) {
                    LOG.log(System.Logger.Level.INFO, "batch " + id + " resumed: " + batch.completedCount() + " of "
                            + batch.total() + " tasks have their result, the others run");
                }
                start(batch, r.batch(), redriven ? EngineListener.Start.REDRIVEN : EngineListener.Start.RESUMED);
            });
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "could not resume batch " + id + "; it is claimed again once its "
                    + "lease runs out", e);
        }
    }

    BatchRun get(String id) {
        return runs.get(id);
    }

    int size() {
        return runs.size();
    }

    Set<String> ids() {
        return runs.keySet();
    }

    List<BatchRun> all() {
        return List.copyOf(runs.values());
    }

    /** Its end is stored: nothing of it runs here any more. */
    void ended(Batch batch) {
        runs.computeIfPresent(batch.id(), (id, run) -> run.batch() == batch ? null : run); // not a later run of it
    }

    /** Another instance runs it now (or will): this one stops without writing anything more. */
    void lost(Batch batch) {
        BatchRun run = runs.get(batch.id());
        if (run != null && run.batch() == batch && runs.remove(batch.id(), run) && !run.isAbandoned()) {
            LOG.log(System.Logger.Level.WARNING, "batch " + batch.id() + " is run by another instance now; "
                    + "this one stops running it");
            run.abandon();
        }
    }

    /** A cancel asked for a batch this instance runs (through the store, maybe by another instance). */
    void stop(String batchId, boolean byClient, String reason) {
        BatchRun run = runs.get(batchId);
        if (run != null) {
            run.cancel(byClient, reason);
        }
    }
}
