package dev.fanout.execution.durability;

import dev.fanout.execution.batch.BatchDetails;
import dev.fanout.execution.batch.BatchState;
import dev.fanout.execution.batch.BatchStatus;
import dev.fanout.execution.batch.BatchView;
import dev.fanout.store.Store;
import dev.fanout.store.StoredBatch;
import dev.fanout.store.StoredResult;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A batch as the store has it: finished, or run by another instance. Reads go to the store page by page; a reader
 * following a running batch is woken by the store's notifications (a shared store) or looks again every
 * {@link #POLL}, whichever comes first.
 */
public final class StoredView implements BatchView {
    static final Duration POLL = Duration.ofMillis(500);

    private final StoredBatches stored;
    private final Store store;
    private final String id;
    private volatile StoredBatch row;

    StoredView(StoredBatches stored, Store store, StoredBatch row) {
        this.stored = stored;
        this.store = store;
        this.id = row.id();
        this.row = row;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int total() {
        return row.total();
    }

    @Override
    public String tenant() {
        return row.tenant();
    }

    @Override
    public int maxSeq() {
        return row.maxSeq();
    }

    @Override
    public BatchStatus status() {
        if (row.isRunning()) {
            store.find(id).ifPresent(r -> row = r);
        }
        return StoredBatches.status(row);
    }

    /** Read from the store's results once, then only those stored since ({@link StoredStats}). */
    @Override
    public BatchDetails details() {
        BatchStatus s = status();
        return stored.stats().details(row, s);
    }

    @Override
    public boolean isFinished() {
        return !row.isRunning();
    }

    @Override
    public List<Numbered> page(boolean inputOrder, int after, int limit) {
        boolean wasRunning = row.isRunning();
        List<StoredResult> stored = store.results(id, inputOrder, after, limit);
        if (stored.isEmpty() && wasRunning) {
            store.find(id).ifPresent(r -> row = r); // finished meanwhile? then the reader's next look ends it
        }
        return stored.stream().map(r -> new Numbered(inputOrder ? r.index() + 1 : r.seq(), r.result())).toList();
    }

    @Override
    public CompletableFuture<Void> nextChange() {
        if (!row.isRunning()) {
            return CompletableFuture.completedFuture(null);
        }
        return stored.nextNews(id, POLL);
    }

    @Override
    public CompletableFuture<BatchStatus> done() {
        CompletableFuture<BatchStatus> done = new CompletableFuture<>();
        watch(done);
        return done;
    }

    private void watch(CompletableFuture<BatchStatus> done) {
        if (done.isDone()) {
            return;
        }
        BatchStatus s = status();
        if (s.state() != BatchState.RUNNING) {
            done.complete(s);
        } else {
            nextChange().thenRun(() -> watch(done));
        }
    }
}
