package dev.fanout.api;

import dev.fanout.core.TaskResult;
import dev.fanout.execution.batch.BatchView;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A batch's results as a stream that ends when the batch ends: in completion order (like {@code as_completed}) or in
 * input order, wherever the batch is (this instance, or the store). Each result carries its place in that order
 * (seq, from 1): the event id a client resumes after, so a stream can start after any result it already has. Pages are
 * read only when the client asks for more, so a slow client holds no copy of the results. When this instance hands the
 * batch over to another one midway, the stream finds it again ({@code find}) and goes on from the same place.
 */
final class ResultStreams {
    private static final int PAGE = 256;

    private ResultStreams() {
    }

    /**
     * The visible results after the first {@code after} (a seq in completion order, a count in input order).
     *
     * Only the results {@code filter} lets through are sent: they keep their place in the whole stream (a resumed
     * filtered stream goes on after the same seq).
     *
     * @param find the batch as it is now, wherever it runs (a handed-over view is replaced by it)
     */
    static Multi<BatchView.Numbered> stream(BatchView batch, Supplier<Optional<BatchView>> find, boolean inputOrder,
                                            int after, Predicate<TaskResult> filter) {
        AtomicInteger cursor = new AtomicInteger(after);
        AtomicReference<BatchView> current = new AtomicReference<>(batch);
        Supplier<CompletionStage<List<BatchView.Numbered>>> next = () -> next(current, find, inputOrder, cursor,
                filter);
        // each page on a worker thread: a stored batch's page is a store read, and the next page is asked for on the
        // event loop (when the connection can take more), which a slow or paused database must never hold
        return Multi.createBy().repeating()
                .uni(() -> Uni.createFrom().completionStage(next).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .until(List::isEmpty)
                .onItem().disjoint();
    }

    /** The next results after the cursor, waiting for one when there is none yet; empty at the end. */
    private static CompletionStage<List<BatchView.Numbered>> next(AtomicReference<BatchView> current,
                                                                  Supplier<Optional<BatchView>> find,
                                                                  boolean inputOrder, AtomicInteger cursor,
                                                                  Predicate<TaskResult> filter) {
        BatchView batch = current.get();
        if (batch.handedOver()) {
            Optional<BatchView> now = find.get();
            if (now.isEmpty()) {
                return CompletableFuture.completedFuture(List.of()); // expired meanwhile: nothing more to send
            }
            current.set(now.get());
            batch = now.get();
        }
        CompletableFuture<Void> change = batch.nextChange();
        boolean finished = batch.isFinished(); // read first: once finished, the pages below have everything left
        List<BatchView.Numbered> page = batch.page(inputOrder, cursor.get(), PAGE);
        while (!page.isEmpty()) {
            cursor.set(page.getLast().seq());
            List<BatchView.Numbered> wanted = page.stream().filter(n -> filter.test(n.result())).toList();
            if (!wanted.isEmpty()) {
                return CompletableFuture.completedFuture(wanted);
            }
            page = batch.page(inputOrder, cursor.get(), PAGE); // none wanted: an empty list would end the stream
        }
        if (finished) {
            return CompletableFuture.completedFuture(List.of());
        }
        return change.thenComposeAsync(v -> next(current, find, inputOrder, cursor, filter),
                Infrastructure.getDefaultExecutor());
    }
}
