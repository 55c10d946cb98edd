package dev.fanout.store;

/**
 * A batch (or a redrive) refused because its key's name would pass one of its quotas; nothing was stored. Not a
 * {@link StoreException}: the store answered, and the client is told which quota and when to come back.
 */
public final class QuotaExceededException extends RuntimeException {
    private final String tenant;
    private final String quota;
    private final int limit;
    private final long retryAfterSeconds;

    public QuotaExceededException(String tenant, String quota, int limit, long retryAfterSeconds, String message) {
        super(message);
        this.tenant = tenant;
        this.quota = quota;
        this.limit = limit;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public String tenant() {
        return tenant;
    }

    /** {@code max-running}, {@code max-tasks-per-minute} or {@code max-concurrency}. */
    public String quota() {
        return quota;
    }

    public int limit() {
        return limit;
    }

    /** Seconds until the batch would fit; 0 when it never can ({@link #fitsNever()}). */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** Whether no wait makes it fit: more tasks than the name may have accepted in any minute. */
    public boolean fitsNever() {
        return retryAfterSeconds == 0;
    }
}
