package dev.fanout.execution.lambda;

import dev.fanout.core.Backoff;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Sends chunks again later: exponential backoff with jitter ({@link Backoff}) between the sends of one chunk, within
 * its retry budget ({@link ChunkCall#deadlineNanos()}).
 */
final class Resender {
    static final Backoff BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    private final Backoff backoff;
    /** Chunks waiting for their next send, by identity (two calls may hold equal attempts). */
    private final Set<ChunkCall> waiting = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("fanout-lambda-backoff").factory());

    Resender(Backoff backoff) {
        this.backoff = backoff;
    }

    /** The wait before the chunk's next send, or -1 when the chunk would go past its budget by waiting. */
    long delayNanos(ChunkCall call) {
        long wait = backoff.nanos(call.tries() + 1);
        return System.nanoTime() + wait > call.deadlineNanos() ? -1 : wait;
    }

    /**
     * Hands the chunk, one try older, to {@code ready} once {@code nanos} have passed; false when closed (the chunk
     * will not be sent again).
     */
    synchronized boolean later(ChunkCall call, long nanos, Consumer<ChunkCall> ready) {
        try {
            timer.schedule(() -> {
                if (leave(call)) {
                    ready.accept(call.retried());
                }
            }, nanos, TimeUnit.NANOSECONDS);
            waiting.add(call);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
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
