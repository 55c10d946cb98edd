package dev.fanout.api;

import dev.fanout.execution.batch.BatchDetails;
import dev.fanout.execution.batch.BatchState;
import dev.fanout.execution.batch.BatchView;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Statuses as streams, for watchers such as the dashboard: a batch's details each time it changes, and a page of the
 * batch list each time that changes. A watcher then needs one connection, not a poll per second per batch.
 */
final class StatusStreams {
    /** At most two updates a second per watcher: a bar that moves smoothly, not one event per result. */
    static final Duration MIN_GAP = Duration.ofMillis(500);
    /** A batch whose results stop coming still gets fresh details (its rate falls, its ETA grows) this often. */
    static final Duration MAX_GAP = Duration.ofSeconds(2);
    /** The list is read this often; an unchanged page is sent again only as a keep-alive. */
    static final Duration LIST_PERIOD = Duration.ofSeconds(1);
    private static final int KEEP_ALIVE_TICKS = 15;

    private StatusStreams() {
    }

    /**
     * The batch's details now, then after each change (at least {@link #MIN_GAP} apart), ending with its details once
     * it has finished. A batch handed over to another instance midway is looked up again; one that expires ends the
     * stream.
     *
     * @param find the batch as it is now, wherever it runs
     */
    static Multi<BatchDetails> details(BatchView batch, Supplier<Optional<BatchView>> find) {
        AtomicReference<BatchView> current = new AtomicReference<>(batch);
        AtomicReference<BatchDetails> last = new AtomicReference<>();
        return Multi.createBy().repeating()
                // on a worker thread: a stored batch's details are a store read, never for the event loop
                .uni(() -> Uni.createFrom().completionStage(() -> next(current, find, last.get()))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .until(Optional::isEmpty)
                .map(Optional::get)
                .invoke(last::set);
    }

    /** The next details to send; empty once the last sent were final, or when the batch expired. */
    private static CompletionStage<Optional<BatchDetails>> next(AtomicReference<BatchView> current,
                                                                Supplier<Optional<BatchView>> find,
                                                                BatchDetails last) {
        if (last == null) {
            return CompletableFuture.completedFuture(Optional.of(current.get().details()));
        }
        if (finished(last)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        // a copy: the batch's own future is shared by every reader and must not be completed by a timeout here
        CompletableFuture<Void> change = current.get().nextChange().copy()
                .completeOnTimeout(null, MAX_GAP.toMillis(), TimeUnit.MILLISECONDS);
        return change.thenApplyAsync(v -> {
            BatchView view = current.get();
            if (view.handedOver()) {
                Optional<BatchView> now = find.get();
                if (now.isEmpty()) {
                    return Optional.empty(); // expired meanwhile
                }
                current.set(now.get());
                view = now.get();
            }
            return Optional.of(view.details());
        }, CompletableFuture.delayedExecutor(MIN_GAP.toMillis(), TimeUnit.MILLISECONDS,
                Infrastructure.getDefaultWorkerPool()));
    }

    private static boolean finished(BatchDetails d) {
        return d.status().state() != BatchState.RUNNING;
    }

    /**
     * A page of the batch list now, then each time it changes (read every {@link #LIST_PERIOD}, from the store: it
     * shows the batches of every instance). An unchanged page is sent again now and then, so that proxies keep an
     * idle stream open. It ends when the client goes.
     */
    static Multi<BatchResource.BatchPage> pages(Supplier<BatchResource.BatchPage> read) {
        AtomicReference<BatchResource.BatchPage> last = new AtomicReference<>();
        AtomicReference<Long> sentAt = new AtomicReference<>(0L);
        return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(LIST_PERIOD)
                .onOverflow().drop()
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(tick -> {
                    BatchResource.BatchPage page = read.get();
                    boolean keepAlive = tick - sentAt.get() >= KEEP_ALIVE_TICKS;
                    if (!Objects.equals(page, last.get()) || keepAlive) {
                        last.set(page);
                        sentAt.set(tick);
                        return Optional.of(page);
                    }
                    return Optional.<BatchResource.BatchPage>empty();
                })
                .filter(Optional::isPresent)
                .map(Optional::get);
    }
}
