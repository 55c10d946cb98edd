package dev.fanout.execution.engine;

/** The service is shutting down and takes no new batch. */
public final class ShuttingDownException extends RuntimeException {
    public ShuttingDownException() {
        super("the service is shutting down and takes no new batch; retry on another instance or later");
    }
}
