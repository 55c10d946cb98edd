package dev.fanout.store;

/** An Idempotency-Key already used by another request: the same key must come with the same request. */
public final class IdempotencyConflictException extends RuntimeException {
    private final String batchId;

    public IdempotencyConflictException(String batchId) {
        super("the Idempotency-Key was used for another request (batch " + batchId + ")");
        this.batchId = batchId;
    }

    public String batchId() {
        return batchId;
    }
}
