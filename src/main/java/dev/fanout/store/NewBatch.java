package dev.fanout.store;

import dev.fanout.core.TaskSpec;

import java.util.List;

/**
 * A batch as it is accepted: stored whole, with every task, before the client hears of it.
 *
 * @param options        its options as JSON (opaque to the store)
 * @param idempotencyKey the client's Idempotency-Key, or null; unique per tenant
 * @param requestHash    a digest of the request, to tell a repeated request from another one with the same key
 * @param owner          the instance that will run it
 * @param tenant         the name of the API key that submitted it: the batch is that name's
 * @param concurrency    what it reserves of the tenant's max-concurrency while RUNNING
 * @param quota          the tenant's limits, checked in the transaction that stores it
 */
public record NewBatch(String id, String options, long createdAt, List<TaskSpec> tasks, String idempotencyKey,
                       String requestHash, String owner, long leaseUntil, String tenant, int concurrency,
                       Quota quota) {

    /** A batch of the name {@code anonymous} (authentication off), without quotas. */
    public NewBatch(String id, String options, long createdAt, List<TaskSpec> tasks, String idempotencyKey,
                    String requestHash, String owner, long leaseUntil) {
        this(id, options, createdAt, tasks, idempotencyKey, requestHash, owner, leaseUntil, "anonymous", 0,
                Quota.NONE);
    }
}
