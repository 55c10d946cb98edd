package dev.fanout.worker.lambda;

/**
 * The event speaks a newer worker protocol than this worker: the invocation fails with this error type, which the
 * invoker turns into one BACKEND_ERROR naming both versions (never retried: the same worker would refuse again).
 */
public final class UnsupportedProtocolException extends RuntimeException {
    public UnsupportedProtocolException(String message) {
        super(message);
    }
}
