package dev.fanout.execution.batch;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Wakes a batch's readers at each published result, at its end and when it is handed over. A reader takes the future
 * first, then checks for what it waits for, then waits on it: no result can slip between.
 */
final class Changes {
    private final AtomicReference<CompletableFuture<Void>> change = new AtomicReference<>();

    /** A future completed at the next change, or at once when {@code over} (nothing will change any more). */
    CompletableFuture<Void> next(BooleanSupplier over) {
        if (over.getAsBoolean()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> f = change.get();
        if (f == null) {
            CompletableFuture<Void> fresh = new CompletableFuture<>();
            f = change.compareAndExchange(null, fresh);
            f = f == null ? fresh : f;
        }
        if (over.getAsBoolean()) { // it may have come between the first check and the future's creation
            f.complete(null);
        }
        return f;
    }

    /** Something changed: every reader waiting looks again. */
    void fire() {
        CompletableFuture<Void> f = change.get();
        if (f != null && (f = change.getAndSet(null)) != null) {
            f.complete(null);
        }
    }
}
