package dev.fanout.execution.lambda;

import dev.fanout.core.Backoff;
import dev.fanout.spi.Durations;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Sends chunks again later, only chunks that never started ({@link FailurePolicy}): exponential backoff with jitter
 * ({@link Backoff}) between the sends of one chunk, within its retry budget ({@link ChunkCall#deadlineNanos()}, from
 * {@code fanout.lambda.retry-budget}: time spent throttled is time spent queued, which taskTimeout does not count).
 */
final class Resender {
    static final Backoff BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    private final Backoff backoff;
    private final Duration budget;
    /** Chunks waiting for their next send, by identity (two calls may hold equal attempts). */
    private final Set<ChunkCall> waiting = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("fanout-lambda-backoff").factory());

    /** @param budget the retry budget the chunks' deadlines were set with, for the message once it is spent */
    Resender(Backoff backoff, Duration budget) {
        this.backoff = backoff;
        this.budget = budget;
    }

    /**
     * Hands the chunk, one try older, to {@code ready} after its backoff. Answers instead why it will not be sent
     * again: its budget would be spent by waiting (the message then ends with {@code why}, the last failure), or the
     * resender is closed.
     */
    synchronized Optional<String> later(ChunkCall call, String why, Consumer<ChunkCall> ready) {
        long wait = backoff.nanos(call.tries() + 1);
        if (System.nanoTime() + wait > call.deadlineNanos()) {
            return Optional.of("Lambda kept failing for longer than fanout.lambda.retry-budget ("
                    + Durations.format(budget) + "); last: " + why);
        }
        try {
            timer.schedule(() -> {
                if (leave(call)) {
                    ready.accept(call.retried());
                }
            }, wait, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return Optional.of(LambdaBackend.CLOSED);
        }
        waiting.add(call);
        return Optional.empty();
    }

    private synchronized boolean leave(ChunkCall call) {
        return waiting.remove(call);
    }

    /** Stops; answers the chunks that were still waiting, so that their tasks get a result. */
    synchronized List<ChunkCall> close() {
        timer.shutdownNow();
        List<ChunkCall> left = List.copyOf(waiting);
        waiting.clear();
        return left;
    }
}
