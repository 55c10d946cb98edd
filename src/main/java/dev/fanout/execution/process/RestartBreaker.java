package dev.fanout.execution.process;

/**
 * Counts workers failing at start-up in a row, so that a pool whose workers cannot start stops looping: after
 * {@link ProcessPoolConfig#MAX_START_FAILURES} it waits before trying again, and while no worker works at all the
 * backend is unavailable. Guarded by the pool's lock.
 */
final class RestartBreaker {
    private int failures;
    private volatile String unavailable;

    /** Null while the pool takes work; else why not. Read without the lock (readiness, submit). */
    String unavailableReason() {
        return unavailable;
    }

    int failures() {
        return failures;
    }

    void failed() {
        failures++;
    }

    /** True while a failed start is worth trying again at once. */
    boolean restartNow() {
        return failures < ProcessPoolConfig.MAX_START_FAILURES;
    }

    /** A worker said hello: answers true when that ends the pool's unavailability. */
    boolean succeeded() {
        failures = 0;
        boolean wasUnavailable = unavailable != null;
        unavailable = null;
        return wasUnavailable;
    }

    void open(String lastFailure) {
        unavailable = "worker processes keep failing at start-up (" + failures + " times in a row); last: "
                + lastFailure;
    }

    /** One more try after a backoff: one more failure and the pool waits again. */
    void probe() {
        failures = ProcessPoolConfig.MAX_START_FAILURES - 1;
    }
}
