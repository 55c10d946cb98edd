package dev.fanout.execution.durability;

import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchState;
import dev.fanout.execution.batch.BatchStatus;
import dev.fanout.execution.batch.BatchView;
import dev.fanout.store.Store;
import dev.fanout.store.StoredBatch;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * The batches this instance reads from the store rather than runs (finished ones, and those another instance runs):
 * their views, the statistics kept for them, and the readers waiting for news of them.
 */
public final class StoredBatches {
    private final Store store;
    private final StoredStats stats;
    private final Followers followers = new Followers();
    private final BiConsumer<Runnable, Duration> later;

    /** @param later runs an action after a delay, off the caller's thread (a reader's poll) */
    public StoredBatches(Store store, BiConsumer<Runnable, Duration> later) {
        this.store = store;
        this.stats = new StoredStats(store);
        this.later = later;
    }

    /** The batch of this row, read from the store as readers ask. */
    public BatchView view(StoredBatch row) {
        return new StoredView(this, store, row);
    }

    /** The status of a stored row. */
    public static BatchStatus status(StoredBatch r) {
        int pending = Math.max(0, r.total() - r.running() - r.succeeded() - r.failed() - r.cancelled());
        return new BatchStatus(r.id(), BatchState.valueOf(r.state()), r.total(), pending, r.running(),
                r.succeeded(), r.failed(), r.cancelled(), Instant.ofEpochMilli(r.createdAt()),
                r.finishedAt() == null ? null : Instant.ofEpochMilli(r.finishedAt()), r.tenant());
    }

    StoredStats stats() {
        return stats;
    }

    /** News of a batch from the store: its readers look again. */
    public void wake(String batchId) {
        followers.wake(batchId);
    }

    /** A batch that finished here hands its statistics over: a later reader of it needs no read of its results. */
    public void finished(Batch batch) {
        stats.finished(batch);
    }

    /** Completes at the batch's next news, or after {@code poll} at the latest. */
    CompletableFuture<Void> nextNews(String batchId, Duration poll) {
        CompletableFuture<Void> next = followers.next(batchId);
        later.accept(() -> followers.expire(batchId, next), poll);
        return next;
    }
}
