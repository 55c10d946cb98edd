package dev.fanout.execution.engine;

/** The store cannot take a new batch now (a full disk, a lost database): refused rather than accepted and lost. */
public final class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String reason) {
        super(reason);
    }
}
