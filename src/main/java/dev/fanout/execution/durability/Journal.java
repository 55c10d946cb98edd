package dev.fanout.execution.durability;

import dev.fanout.execution.batch.Batch;
import dev.fanout.core.Backoff;
import dev.fanout.core.TaskResult;
import dev.fanout.store.Change;
import dev.fanout.store.Store;
import dev.fanout.store.StoreException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes what running batches do to the store in groups (group commit): one writer thread takes whatever has
 * queued up, applies it in one transaction, then publishes it (results become visible, ends complete batches). A
 * store that fails (a full disk, a lost database) is tried again with backoff; meanwhile nothing is published, new
 * batches are refused ({@link #unavailableReason()}) and, once enough has queued up, dispatch pauses
 * ({@link #awaitRoom()}): nothing accepted is dropped.
 *
 * <pre>
 *  Batch.finish (in completion order) --+
 *  attempt started ---------------------+--> queue --> writer: drain up to GROUP --> store.apply (one transaction)
 *  last result -> end ------------------+                  | ok: Batch.published(upTo), Batch.ended(at)
 *                                                          | StoreException: unavailable, wait, same group again
 * </pre>
 */
public final class Journal implements Batch.Sink, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Journal.class.getName());
    private static final int GROUP = 20_000;
    /** Entries queued beyond this pause dispatch: memory stays bounded while the store is away. */
    private static final int MAX_QUEUED = 200_000;
    private static final Backoff RETRY = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(5));

    /**
     * One change and the batch it belongs to; {@code position} is the completion position of a result (else -1);
     * {@code with}, if any, is stored in the same commit as the change (a stop with the result that decided it).
     */
    private record Entry(Batch batch, Change change, int position, Change with) {
        Entry(Batch batch, Change change, int position) {
            this(batch, change, position, null);
        }
    }

    private final Store store;
    private final Listener listener;
    private final LinkedBlockingQueue<Entry> queue = new LinkedBlockingQueue<>();
    private final ReentrantLock roomLock = new ReentrantLock();
    private final Condition room = roomLock.newCondition();
    private final Thread writer;
    private volatile String unavailable;
    private volatile boolean closing;
    /** Runs whose changes the store refused (the writer thread's only); weak: a run gone is forgotten. */
    private final Map<Batch, Boolean> refused = new WeakHashMap<>();

    /** What the engine learns from the journal. */
    public interface Listener {
        /** The batch's end is stored (at {@code at}). */
        public void ended(Batch batch, Instant at);

        /** The store did not take the batch's changes: another instance runs it now (or will). */
        void lost(Batch batch);
    }

    public Journal(Store store, Listener listener) {
        this.store = store;
        this.listener = listener;
        this.writer = Thread.ofPlatform().daemon().name("fanout-journal").start(this::write);
    }

    /** Null while the store takes writes; otherwise why not (readiness, refused batches). */
    public String unavailableReason() {
        return unavailable;
    }

    public void started(Batch batch, int index, int attempt) {
        if (store.durable()) { // a memory store forgets everything with the process anyway
            queue.add(new Entry(batch, new Change.Started(batch.id(), index, attempt), -1));
        }
    }

    @Override
    public void finished(Batch batch, int index, int position, int seq, TaskResult result, boolean last,
                         String stop) {
        queue.add(new Entry(batch, new Change.Finished(batch.id(), index, seq, result), position,
                stop == null ? null : new Change.Stopped(batch.id(), stop, false)));
        if (last) {
            queue.add(new Entry(batch, null, -1)); // the end: its state is known when it is written
        }
    }

    /** The batch had every result before this run: only its end is written. */
    public void ended(Batch batch) {
        queue.add(new Entry(batch, null, -1));
    }

    /** Waits while too much is queued (the store is slow or away). */
    public void awaitRoom() throws InterruptedException {
        if (queue.size() < MAX_QUEUED) {
            return;
        }
        roomLock.lockInterruptibly();
        try {
            while (queue.size() >= MAX_QUEUED && !closing) {
                room.await(100, TimeUnit.MILLISECONDS);
            }
        } finally {
            roomLock.unlock();
        }
    }

    private void write() {
        List<Entry> group = new ArrayList<>();
        int failures = 0;
        while (true) {
            try {
                if (group.isEmpty()) {
                    if (closing && queue.isEmpty()) {
                        return;
                    }
                    Entry first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    group.add(first);
                }
                queue.drainTo(group, Math.max(0, GROUP - group.size()));
                commit(group);
                group.clear();
                failures = 0;
                signalRoom();
            } catch (InterruptedException e) {
                if (!closing) {
                    continue;
                }
                return;
            } catch (RuntimeException e) {
                // kept and tried again after a pause, even when nothing new arrives: its batches wait for it
                LOG.log(System.Logger.Level.ERROR, "the journal failed to write a group; it is kept and tried again", e);
                try {
                    TimeUnit.NANOSECONDS.sleep(RETRY.nanos(++failures));
                } catch (InterruptedException stop) {
                    if (closing) {
                        return;
                    }
                }
            }
        }
    }

    private void commit(List<Entry> group) throws InterruptedException {
        // nothing more of a run the store refused: its end, queued later, would end the batch without its results
        group.removeIf(e -> refused.containsKey(e.batch()));
        // one run of a batch per group, its latest claim's: an earlier run's writes would be refused anyway
        Map<String, Long> epochs = new HashMap<>();
        group.forEach(e -> epochs.merge(e.batch().id(), e.batch().epoch(), Math::max));
        Set<Batch> superseded = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Iterator<Entry> it = group.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.batch().epoch() < epochs.get(e.batch().id())) {
                superseded.add(e.batch());
                it.remove();
            }
        }
        superseded.forEach(this::refuse);
        if (group.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        List<Change> changes = new ArrayList<>(group.size() + 8);
        Map<Batch, Integer> progress = new IdentityHashMap<>();
        for (Entry e : group) {
            changes.add(e.change() != null ? e.change()
                    : new Change.Ended(e.batch().id(), e.batch().outcome().finalState().name(), now.toEpochMilli()));
            if (e.with() != null) {
                changes.add(e.with());
            }
            progress.put(e.batch(), e.batch().progress().running());
        }
        progress.forEach((b, running) -> changes.add(new Change.Progress(b.id(), running)));
        Set<String> stale = applyUntilStored(epochs, changes);
        try {
            publish(group, stale, now);
        } catch (RuntimeException e) { // stored: never applied twice (its results would then look like another's)
            LOG.log(System.Logger.Level.ERROR, "the journal stored a group but failed to publish it", e);
        }
    }

    /** After the group is stored: readers see its results, ended batches end, lost ones are given up. */
    private void publish(List<Entry> group, Set<String> stale, Instant now) {
        // nothing of a batch whose changes were not all stored is shown: another instance runs it now, or will
        Set<Batch> lost = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<Batch, Integer> upTo = new IdentityHashMap<>();
        for (Entry e : group) {
            if (stale.contains(e.batch().id())) {
                lost.add(e.batch());
            } else if (e.position() >= 0) {
                upTo.merge(e.batch(), e.position() + 1, Math::max);
            }
        }
        upTo.forEach(Batch::published);
        for (Entry e : group) {
            if (e.change() == null && !lost.contains(e.batch())) {
                try {
                    listener.ended(e.batch(), now);
                } catch (RuntimeException ex) { // one batch's listener must not keep the others from ending
                    LOG.log(System.Logger.Level.ERROR, "batch " + e.batch().id() + ": its end was stored, then", ex);
                }
            }
        }
        lost.forEach(this::refuse);
    }

    /** The store takes nothing more of this run of a batch: it is given up. */
    private void refuse(Batch b) {
        refused.put(b, Boolean.TRUE);
        LOG.log(System.Logger.Level.WARNING, "batch " + b.id() + ": the store did not take its changes (it was "
                + "claimed since, by another instance or by this one again, or a task of it had a result already); "
                + "this run of it is given up");
        listener.lost(b);
    }

    private Set<String> applyUntilStored(Map<String, Long> epochs, List<Change> changes) throws InterruptedException {
        for (int tries = 1; ; tries++) {
            try {
                Set<String> stale = store.apply(epochs, changes);
                if (unavailable != null) {
                    LOG.log(System.Logger.Level.INFO, "the store takes writes again");
                    unavailable = null;
                }
                return stale;
            } catch (StoreException e) {
                if (unavailable == null) {
                    LOG.log(System.Logger.Level.ERROR, "the store refuses writes; running batches pause until it "
                            + "is back: " + e.getMessage());
                }
                unavailable = "the " + store.kind() + " store cannot be written: " + e.getMessage();
                TimeUnit.NANOSECONDS.sleep(RETRY.nanos(tries));
            }
        }
    }

    private void signalRoom() {
        if (roomLock.tryLock()) {
            try {
                room.signalAll();
            } finally {
                roomLock.unlock();
            }
        }
    }

    /** Writes what is queued, then stops the writer; waits at most {@code timeout}. */
    void flush(Duration timeout) {
        closing = true;
        try {
            writer.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        flush(Duration.ofSeconds(10));
        writer.interrupt();
    }
}
