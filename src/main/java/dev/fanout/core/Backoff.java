package dev.fanout.core;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter, the one used wherever fanout waits before trying again (task retries, Lambda
 * re-sends, worker restarts): the n-th wait is {@code initial * 2^(n-1)}, capped at {@code max}, of which half is fixed
 * and half random, so that the retries of a burst spread out instead of arriving together.
 */
public record Backoff(Duration initial, Duration max) {

    public Backoff {
        if (initial.isNegative()) {
            throw new IllegalArgumentException("the initial backoff must be 0 or more, got " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("the maximum backoff (" + max + ") must be at least the initial one ("
                    + initial + ")");
        }
    }

    /** The wait before try {@code n + 1} after {@code n} failed tries ({@code n >= 1}), in nanoseconds. */
    public long nanos(int n) {
        long step = ceilingNanos(n);
        return step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1);
    }

    /** The largest wait {@link #nanos} can answer for {@code n}. */
    public long ceilingNanos(int n) {
        long base = initial.toNanos();
        long cap = max.toNanos();
        int doublings = Math.max(0, Math.min(n - 1, 62 - (64 - Long.numberOfLeadingZeros(base))));
        return Math.min(cap, base << doublings);
    }
}
