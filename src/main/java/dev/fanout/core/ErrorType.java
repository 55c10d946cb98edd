package dev.fanout.core;

/**
 * The fixed vocabulary of task errors. Clients branch on these names, so they never change meaning.
 * {@link #retriable()} says whether a batch's {@code retries} apply.
 */
public enum ErrorType {
    /** The function threw. The message names the exception. */
    FUNCTION_ERROR(true),
    /** The input was rejected by the function (or could not be sent to the backend at all). Retrying cannot help. */
    INVALID_INPUT(false),
    /** The attempt outlived the batch's {@code taskTimeout} and was stopped. */
    TIMEOUT(true),
    /** The batch was cancelled, by a client or by failFast, before the task finished. */
    CANCELLED(false),
    /** The process (worker process, Lambda sandbox) running the task died; the message gives the exit code or signal. */
    WORKER_CRASHED(true),
    /** The backend could not run the task at all (no workers can start, the remote service kept refusing). */
    BACKEND_ERROR(true);

    private final boolean retriable;

    ErrorType(boolean retriable) {
        this.retriable = retriable;
    }

    public boolean retriable() {
        return retriable;
    }
}
