package dev.fanout.store;

/**
 * The store cannot do what was asked now (a full disk, a lost connection): nothing was written. Callers that can wait
 * (the group-commit writer) try again; a new batch is refused (503) rather than accepted without being kept.
 */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
