package dev.fanout.execution.batch;

/**
 * The batch is no longer run by this instance (another one took it over, or this one is stopping): whoever waited on
 * it here finds it again ({@code Engine.find}) and goes on waiting there.
 */
public final class HandedOverException extends RuntimeException {
    public HandedOverException(String batchId) {
        super("batch " + batchId + " is run by another instance now", null, false, false);
    }
}
