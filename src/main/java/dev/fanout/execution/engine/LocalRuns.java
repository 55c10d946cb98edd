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

    /**
     * Runs a batch here; a cancel stored for it before (a crash in between) is still in force.
     *
     * @param leaseUntil until when the store holds the claim of this run (a memory store has no leases: never lapses)
     */
    void start(Batch batch, StoredBatch stored, EngineListener.Start how, long leaseUntil) {
        BatchRun run = new BatchRun(engine, batch, journal, store.durable() ? leaseUntil : Long.MAX_VALUE);
        if (runs.putIfAbsent(batch.id(), run) != null) {
            return; // a run of it started meanwhile (two claims answered at once): that one goes on
        }
        engine.listener().batchStarted(batch, how); // before the run can send a chunk or end
        if (stored != null && stored.stopReason() != null) {
            run.cancel(stored.stoppedByClient(), stored.stopReason());
        }
        run.start();
    }

    /**
     * Takes up a batch this instance now owns in the store ({@code claim}, held until {@code leaseUntil}): what has a
     * result stays, the rest runs. A batch that cannot be loaded is left as it is: its lease runs out and it is
     * claimed again.
     */
    void resume(Store.Claim claim, long leaseUntil) {
        resume(claim, leaseUntil, false);
    }

    /** As {@link #resume(Store.Claim, long)}; {@code redriven}: the engine redrives it (and said so). */
    void resume(Store.Claim claim, long leaseUntil, boolean redriven) {
        String id = claim.batchId();
        BatchRun earlier = runs.get(id);
        if (earlier != null) {
            if (earlier.batch().epoch() >= claim.epoch()) {
                return;
            }
            // claimed again after its lease ran out: the store takes nothing more of the earlier run (its epoch)
            lost(earlier.batch(), "it was claimed again after its lease ran out; the earlier run stops and the batch "
                    + "is taken up from what the store holds");
        }
        try {
            store.load(id).ifPresent(r -> {
                Batch batch = new Batch(id, claim.epoch(), r.batch().tenant(),
                        Instant.ofEpochMilli(r.batch().createdAt()), r.tasks(),
                        BatchOptions.fromJson(r.batch().options()), r.batch().maxSeq());
                if (!redriven) {
                    LOG.log(System.Logger.Level.INFO, "batch " + id + " resumed: " + batch.completedCount() + " of "
                            + batch.total() + " tasks have their result, the others run");
                }
                start(batch, r.batch(), redriven ? EngineListener.Start.REDRIVEN : EngineListener.Start.RESUMED,
                        leaseUntil);
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
        lost(batch, "it is run by another instance now (or will be); this one stops running it");
    }

    /**
     * This run holds the batch no more ({@code why}): it stops at once, writes nothing more and gives back what it
     * held (IO permits, worker slots, queued chunks, timers).
     */
    void lost(Batch batch, String why) {
        BatchRun run = runs.get(batch.id());
        if (run != null && run.batch() == batch && runs.remove(batch.id(), run) && !run.isAbandoned()) {
            LOG.log(System.Logger.Level.WARNING, "batch " + batch.id() + ": " + why);
            run.abandon();
        }
    }

    /**
     * Stops the runs whose lease ran out before the store renewed it (the store away or slow, this instance paused
     * or cut off): from then on another instance may claim them, so running on would run their tasks twice. A run
     * with every result in is left to write its end (its epoch decides whether the store takes it).
     */
    void lapsed(long now) {
        for (BatchRun run : all()) {
            long until = run.leaseUntil.get();
            if (until < now && !run.batch().allResultsIn()) {
                lost(run.batch(), "its lease ran out " + (now - until) + " ms ago before the store "
                        + "renewed it; this instance stops running it until it claims it again");
            }
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
