package dev.fanout.core;

import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many calls fanout keeps in flight to a service that says when it has had enough (Lambda's 429): the one type
 * wherever fanout adapts concurrency, so that every caller learns the same way. Netflix concurrency-limits' AIMD
 * underneath, fed so that it neither overreacts nor forgets:
 * <ul>
 *   <li>a throttle multiplies the limit by {@value #BACKOFF_RATIO}, once per burst: the throttles of calls sent before
 *       the last decrease repeat the same news and are ignored (16 calls against room for 2 cost one decrease, not 14);
 *   <li>successes add 1 per limit's worth of calls that found the limit full (one more each round trip at full
 *       use, as TCP's congestion avoidance): successes below the limit say nothing about the ceiling, so a limit
 *       learned under throttling is kept between batches, and probing above it costs one throttle per climb;
 *   <li>failures that are not about capacity (an error, a cancelled call, nothing sent) change nothing.
 * </ul>
 * Latency is no signal here (a call lasts as long as its work), so AIMD's timeout-as-drop is off. Thread-safe.
 */
public final class AdaptiveLimit {
    static final double BACKOFF_RATIO = 0.75;

    private final SimpleLimiter<Void> limiter;
    /** Bumped by each decrease; a call remembers the generation it was sent in. */
    private final AtomicLong generation = new AtomicLong();
    /** Successes of calls that found the limit full, since the last raise. */
    private final AtomicInteger fullSuccesses = new AtomicInteger();

    private AdaptiveLimit(int max) {
        this.limiter = SimpleLimiter.newBuilder()
                .limit(AIMDLimit.newBuilder()
                        .initialLimit(max)
                        .minLimit(1)
                        .maxLimit(max)
                        .backoffRatio(BACKOFF_RATIO)
                        .timeout(Long.MAX_VALUE, TimeUnit.NANOSECONDS)
                        .build())
                .build();
    }

    /**
     * Starts at {@code max}, the most the operator allows: until a throttle says otherwise, that is the limit.
     *
     * @param max at least 1
     */
    public static AdaptiveLimit upTo(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("an adaptive limit needs a maximum of at least 1, got " + max);
        }
        return new AdaptiveLimit(max);
    }

    /** A permit for one call when there is room for it now; empty at the limit. Never blocks. */
    public Optional<Permit> tryAcquire() {
        long sentIn = generation.get();
        return limiter.acquire(null).map(listener -> new Permit(listener, sentIn,
                limiter.getInflight() >= limiter.getLimit()));
    }

    /** Calls in flight may exceed it for a while after a decrease; none starts until they are below. */
    public int limit() {
        return limiter.getLimit();
    }

    public int inFlight() {
        return limiter.getInflight();
    }

    /** One call's room. It ends once: the first of {@link #succeeded}, {@link #throttled}, {@link #ignored} counts. */
    public final class Permit {
        private final Limiter.Listener listener;
        private final long sentIn;
        private final boolean filled;
        private final AtomicBoolean ended = new AtomicBoolean();

        private Permit(Limiter.Listener listener, long sentIn, boolean filled) {
            this.listener = listener;
            this.sentIn = sentIn;
            this.filled = filled;
        }

        /** The service took the call (whatever the call's own result): the limit may grow. */
        public void succeeded() {
            if (ended.compareAndSet(false, true)) {
                if (filled && fullSuccesses.incrementAndGet() >= limit()) {
                    fullSuccesses.set(0);
                    listener.onSuccess(); // AIMD: +1, since this call found the limit full
                } else {
                    listener.onIgnore();
                }
            }
        }

        /** The service refused the call for lack of capacity: the limit shrinks, unless this burst already did it. */
        public void throttled() {
            if (ended.compareAndSet(false, true)) {
                if (generation.compareAndSet(sentIn, sentIn + 1)) {
                    listener.onDropped();
                } else {
                    listener.onIgnore();
                }
            }
        }

        /** The outcome says nothing about capacity (not sent, cancelled, failed otherwise): only frees the room. */
        public void ignored() {
            if (ended.compareAndSet(false, true)) {
                listener.onIgnore();
            }
        }
    }
}
