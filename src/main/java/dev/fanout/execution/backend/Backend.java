package dev.fanout.execution.backend;

/**
 * Runs task attempts somewhere: the execution contract every backend implements (virtual threads, a thread pool,
 * worker processes, Lambda invocations).
 *
 * <p>The engine hands over attempts one by one with {@link #submit}. For each attempt the backend calls
 * {@link Attempt#start} when the task really begins (it may refuse to run it when {@code start} answers false), then
 * {@link Attempt#complete} with the result. The engine may stop an attempt at any time (timeout, cancellation); the
 * backend learns of it through the callback it registered with {@link Attempt#onStop} and must then stop the work
 * (interrupt, kill) without reporting anything more. Exactly-once results per task are the engine's business:
 * a backend only has to report each attempt at most once and never lose one.
 */
public interface Backend extends AutoCloseable {

    /** The name clients use ({@code cpuBackend}) and that readiness reports, e.g. {@code "processes"}. */
    String name();

    /** Accepts one attempt. Must return quickly: queue it, do not run it in the caller's thread. */
    void submit(Attempt attempt);

    /**
     * True when the backend enforces {@code taskTimeout} itself (it reports TIMEOUT); otherwise the engine starts a
     * timer at {@link Attempt#start} and stops the attempt when it fires.
     */
    default boolean enforcesTimeouts() {
        return false;
    }

    /** Null while the backend can take work; otherwise a sentence saying why not (readiness, refused batches). */
    default String unavailableReason() {
        return null;
    }

    /** What readiness shows about this backend (workers alive, queue depth, ...). */
    default java.util.Map<String, Object> details() {
        return java.util.Map.of();
    }

    /** Stops everything and releases threads and processes. Attempts still running are abandoned. */
    @Override
    default void close() {
    }
}
