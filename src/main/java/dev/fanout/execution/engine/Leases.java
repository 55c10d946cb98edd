package dev.fanout.execution.engine;

import dev.fanout.execution.durability.StoredBatches;

import dev.fanout.store.Store;
import dev.fanout.store.StoreEvents;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * This instance's share of the store's running batches: it takes up those nobody holds at start (all of them for a
 * store only it can open: its previous run left them), and with a shared store keeps its leases, gives up the batches
 * another instance took over, takes over those whose owner stopped renewing, and hears what other instances announce.
 *
 * <pre>
 *  start:  claim (force unless shared) -> resume each
 *  every lease/3 (durable stores): runs whose lease ran out stopped (before asking the store: it may hang);
 *          renew mine at their epochs -> lost ones abandoned; stop requests (a NOTIFY missed, a cancel stored while a
 *          batch was being resumed); claim expired ones (another instance's, mine that lapsed, one that failed to
 *          resume): each claim a new epoch, a new run
 *  NOTIFY: results stored -> followers woken; stop requested -> the owner cancels
 * </pre>
 */
final class Leases implements StoreEvents {
    private static final System.Logger LOG = System.getLogger(Leases.class.getName());
    private static final int CLAIMS_PER_ROUND = 16;

    private final LocalRuns runs;
    private final StoredBatches stored;
    private final BooleanSupplier shuttingDown;
    private final Store store;
    private final String instance;
    private final Duration lease;
    /** A round that waits for the store: the next rounds only stop lapsed runs until it returns. */
    private final AtomicBoolean talking = new AtomicBoolean();

    Leases(LocalRuns runs, StoredBatches stored, BooleanSupplier shuttingDown, Store store, String instance,
           Duration lease) {
        this.runs = runs;
        this.stored = stored;
        this.shuttingDown = shuttingDown;
        this.store = store;
        this.instance = instance;
        this.lease = lease;
    }

    /**
     * Takes up what nobody holds; answers how often to call {@link #upkeep()}, or null when never (a memory store).
     * A store of one instance keeps its leases too: a batch that failed to resume, or that this instance gave up, is
     * claimed again once its lease runs out, and a cancel stored meanwhile is found.
     */
    Duration start() {
        long now = System.currentTimeMillis();
        long until = now + lease.toMillis();
        for (Store.Claim claim : store.claim(instance, now, until, !store.shared(), Integer.MAX_VALUE)) {
            runs.resume(claim, until);
        }
        if (!store.durable()) {
            return null;
        }
        if (store.shared()) {
            store.listen(this);
        }
        return Duration.ofMillis(Math.max(100, lease.toMillis() / 3));
    }

    void upkeep() {
        runs.lapsed(System.currentTimeMillis());
        if (!talking.compareAndSet(false, true)) {
            return; // the last round still waits for the store (up to its socket timeout)
        }
        long until = 0;
        List<Store.Claim> claimed = List.of();
        try {
            long now = System.currentTimeMillis();
            until = now + lease.toMillis();
            // the runs as they were when asked: one started while the store answered is not in its answer, not lost
            List<BatchRun> mine = runs.all();
            Map<String, Long> epochs = new HashMap<>();
            mine.forEach(r -> epochs.put(r.batch().id(), r.batch().epoch()));
            Set<String> held = store.renew(instance, until, epochs);
            for (BatchRun run : mine) {
                if (held.contains(run.batch().id())) {
                    run.leaseUntil.accumulateAndGet(until, Math::max);
                } else if (!run.batch().allResultsIn()) {
                    runs.lost(run.batch());
                }
            }
            for (Store.StopRequest stop : store.stopRequests(instance)) {
                runs.stop(stop.batchId(), stop.byClient(), stop.reason());
            }
            if (!shuttingDown.getAsBoolean()) {
                claimed = store.claim(instance, now, until, false, CLAIMS_PER_ROUND);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "store upkeep failed, trying again: " + e.getMessage());
        } finally {
            talking.set(false);
        }
        // loading a big batch takes a while: the next round renews the others meanwhile
        for (Store.Claim claim : claimed) {
            runs.resume(claim, until);
        }
    }

    @Override
    public void resultsStored(String batchId) {
        stored.wake(batchId);
    }

    @Override
    public void stopRequested(String batchId) {
        store.find(batchId).filter(r -> r.stopReason() != null)
                .ifPresent(r -> runs.stop(batchId, r.stoppedByClient(), r.stopReason()));
        stored.wake(batchId);
    }
}
