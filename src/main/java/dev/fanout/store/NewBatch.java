package dev.fanout.store;

import dev.fanout.core.TaskSpec;

import java.util.List;

/**
 * A batch as it is accepted: stored whole, with every task, before the client hears of it.
 *
 * @param options        its options as JSON (opaque to the store)
 * @param idempotencyKey the client's Idempotency-Key, or null
 * @param requestHash    a digest of the request, to tell a repeated request from another one with the same key
 * @param owner          the instance that will run it
 */
public record NewBatch(String id, String options, long createdAt, List<TaskSpec> tasks, String idempotencyKey,
                       String requestHash, String owner, long leaseUntil) {
}
