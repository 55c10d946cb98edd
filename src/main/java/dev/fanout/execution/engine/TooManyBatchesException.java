package dev.fanout.execution.engine;

/** The service already runs as many batches as it may ({@code fanout.batch.max-running}): try again later. */
public final class TooManyBatchesException extends RuntimeException {
    public TooManyBatchesException(int limit) {
        super(limit + " batches are running, the most this service runs at once (fanout.batch.max-running); "
                + "retry when one has finished");
    }
}
