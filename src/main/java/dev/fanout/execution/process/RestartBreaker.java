package dev.fanout.execution.process;

import dev.fanout.core.Backoff;
import dev.fanout.spi.Durations;

/**
 * Counts workers failing at start-up in a row, so that a pool whose workers cannot start stops looping without ever
 * giving up: the first {@link ProcessPoolConfig#MAX_START_FAILURES} failures are retried at once (a flaky start), then
 * each try waits a {@link Backoff} that doubles from {@code restartBackoff} up to {@code maxRestartBackoff}. While no
 * worker works at all the backend is unavailable; the first hello ends that. Guarded by the pool's lock.
 */
final class RestartBreaker {
    private final Backoff backoff;
    private int failures;
    private volatile String unavailable;

    RestartBreaker(ProcessPoolConfig config) {
        this.backoff = new Backoff(config.restartBackoff(), config.maxRestartBackoff());
    }

    /** Null while the pool takes work; else why not. Read without the lock (readiness, submit). */
    String unavailableReason() {
        return unavailable;
    }

    /** One more worker did not make it to its hello. */
    void failed() {
        failures++;
    }

    /** True while a failed start is worth trying again at once. */
    boolean restartNow() {
        return failures < ProcessPoolConfig.MAX_START_FAILURES;
    }

    /** How long to wait before the next try: longer with every failure past the first few, up to the cap. */
    long retryDelayNanos() {
        return backoff.nanos(Math.max(1, failures - ProcessPoolConfig.MAX_START_FAILURES + 1));
    }

    /** A worker said hello: answers true when that ends the pool's unavailability. */
    boolean succeeded() {
        failures = 0;
        boolean wasUnavailable = unavailable != null;
        unavailable = null;
        return wasUnavailable;
    }

    /** No worker works: refuse work, saying why (updated at every further failure). */
    void unavailable(String lastFailure) {
        unavailable = "worker processes keep failing at start-up (" + failures + " times in a row); trying again"
                + " with a backoff of up to " + Durations.format(backoff.max()) + "; last: " + lastFailure;
    }
}
