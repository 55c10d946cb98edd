package dev.fanout.execution.durability;

import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchDetails;
import dev.fanout.execution.batch.BatchStats;
import dev.fanout.execution.batch.BatchStatus;
import dev.fanout.store.Store;
import dev.fanout.store.StoredBatch;
import dev.fanout.store.StoredResult;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Statistics of batches this instance reads from the store (finished, or run by another instance), kept for the
 * {@link #CAPACITY} most recently asked. Each is brought up to date by reading only the results stored since it was
 * last asked (by seq); a batch is read whole once: the first time it is asked here, or when its stored counts no
 * longer match what was read (it was redriven: its failures lost their results). A batch that ends in this instance
 * hands its statistics over ({@link #finished}), so it is never read at all.
 */
final class StoredStats {
    static final int CAPACITY = 256;
    private static final int PAGE = 1000;

    private final Store store;
    private final Map<String, Seen> entries = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
            return size() > CAPACITY;
        }
    };

    /** What was read of one batch: up to which seq, how many results. */
    private static final class Seen {
        final BatchStats stats;
        int lastSeq;
        int results;

        Seen(BatchStats stats, int lastSeq, int results) {
            this.stats = stats;
            this.lastSeq = lastSeq;
            this.results = results;
        }
    }

    StoredStats(Store store) {
        this.store = store;
    }

    /** A batch that ended here: its statistics, kept as its results came in, are those of the stored batch. */
    void finished(Batch batch) {
        BatchStatus s = batch.status();
        put(batch.id(), new Seen(batch.stats(), batch.maxSeq(), s.succeeded() + s.failed() + s.cancelled()));
    }

    /** The statistics of the stored batch {@code row}, brought up to date with the results stored since. */
    BatchDetails details(StoredBatch row, BatchStatus status) {
        Seen e = get(row.id());
        int stored = row.succeeded() + row.failed() + row.cancelled();
        if (e == null || e.lastSeq > row.maxSeq() || e.results > stored) {
            e = new Seen(new BatchStats(row.createdAt()), 0, 0);
            put(row.id(), e);
        }
        synchronized (e) {
            readUpTo(row, e);
            if (e.results != stored) { // redriven between two looks: its earlier failures are gone; read it again
                Seen fresh = new Seen(new BatchStats(row.createdAt()), 0, 0);
                readUpTo(row, fresh);
                put(row.id(), fresh);
                e = fresh;
            }
        }
        return e.stats.details(status, System.currentTimeMillis());
    }

    private void readUpTo(StoredBatch row, Seen e) {
        while (e.lastSeq < row.maxSeq()) {
            List<StoredResult> page = store.results(row.id(), false, e.lastSeq, PAGE);
            for (StoredResult r : page) {
                if (r.seq() > row.maxSeq()) {
                    return; // stored after the row was read: the next look counts it, with the row that has it
                }
                var t = r.result();
                e.stats.record(t, t.startedAt() == null ? -1 : t.startedAt().toEpochMilli() + t.durationMs());
                e.lastSeq = r.seq();
                e.results++;
            }
            if (page.size() < PAGE) {
                return;
            }
        }
    }

    private synchronized Seen get(String id) {
        return entries.get(id);
    }

    private synchronized void put(String id, Seen e) {
        entries.put(id, e);
    }
}
