package dev.fanout.execution.engine;

/** Redrive asked for a batch that is still running. */
public final class BatchRunningException extends RuntimeException {
    public BatchRunningException(String id) {
        super("batch " + id + " is still running; redrive it once it has finished (or cancel it first)");
    }
}
