package dev.fanout.execution.durability;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Readers waiting for a batch run elsewhere, woken when the store says it has news of it. Readers of one batch share
 * one future; it leaves the map when it completes, by news or by a reader's own poll, so nothing piles up.
 */
final class Followers {
    private final Map<String, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();

    /** A future completed at the next news of the batch. */
    CompletableFuture<Void> next(String batchId) {
        return waiting.compute(batchId, (k, f) -> f == null || f.isDone() ? new CompletableFuture<>() : f);
    }

    /** News of the batch: everyone waiting looks again. */
    void wake(String batchId) {
        CompletableFuture<Void> f = waiting.remove(batchId);
        if (f != null) {
            f.complete(null);
        }
    }

    /** A reader's poll interval passed: it looks again (and so does everyone sharing its future). */
    void expire(String batchId, CompletableFuture<Void> f) {
        waiting.remove(batchId, f);
        f.complete(null);
    }
}
