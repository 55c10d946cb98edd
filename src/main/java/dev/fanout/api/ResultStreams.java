package dev.fanout.api;

import dev.fanout.core.TaskResult;
import dev.fanout.execution.Batch;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A batch's results as a stream that ends when the batch ends: in completion order (like {@code as_completed}) or in
 * input order. Each result carries its sequence number in that order (1, 2, ...): the event id a client resumes
 * after, so a stream can start after any result it already has. Pages are read only when the client asks for more,
 * so a slow client holds no copy of the results.
 */
final class ResultStreams {
    private static final int PAGE = 256;

    /** A result and its place in the stream's order, counted from 1. */
    record Numbered(int seq, TaskResult result) {
    }

    private ResultStreams() {
    }

    /** The results after the first {@code after} in completion order. */
    static Multi<Numbered> completionOrder(Batch batch, int after) {
        AtomicInteger cursor = new AtomicInteger(after);
        return pages(() -> nextInCompletionOrder(batch, cursor));
    }

    /** The results after the first {@code after} tasks in input order. */
    static Multi<Numbered> inputOrder(Batch batch, int after) {
        AtomicInteger cursor = new AtomicInteger(after);
        return pages(() -> nextInInputOrder(batch, cursor));
    }

    private static Multi<Numbered> pages(Supplier<CompletionStage<List<Numbered>>> next) {
        return Multi.createBy().repeating()
                .uni(() -> Uni.createFrom().completionStage(next))
                .until(List::isEmpty)
                .onItem().disjoint();
    }

    /** The next results after the cursor, waiting for one when there is none yet; empty at the end. */
    private static CompletionStage<List<Numbered>> nextInCompletionOrder(Batch batch, AtomicInteger cursor) {
        CompletableFuture<Void> change = batch.nextChange();
        int from = cursor.get();
        int available = batch.completedCount();
        if (available > from) {
            int to = Math.min(available, from + PAGE);
            List<Numbered> page = new ArrayList<>(to - from);
            for (int k = from; k < to; k++) {
                page.add(new Numbered(k + 1, batch.completedAt(k)));
            }
            cursor.set(to);
            return CompletableFuture.completedFuture(page);
        }
        if (from >= batch.total()) {
            return CompletableFuture.completedFuture(List.of());
        }
        return change.thenComposeAsync(v -> nextInCompletionOrder(batch, cursor), Infrastructure.getDefaultExecutor());
    }

    private static CompletionStage<List<Numbered>> nextInInputOrder(Batch batch, AtomicInteger cursor) {
        CompletableFuture<Void> change = batch.nextChange();
        int from = cursor.get();
        List<Numbered> page = new ArrayList<>();
        for (int i = from; i < batch.total() && page.size() < PAGE; i++) {
            TaskResult r = batch.result(i);
            if (r == null) {
                break;
            }
            page.add(new Numbered(i + 1, r));
        }
        if (!page.isEmpty() || from >= batch.total()) {
            cursor.set(from + page.size());
            return CompletableFuture.completedFuture(page);
        }
        return change.thenComposeAsync(v -> nextInInputOrder(batch, cursor), Infrastructure.getDefaultExecutor());
    }
}
