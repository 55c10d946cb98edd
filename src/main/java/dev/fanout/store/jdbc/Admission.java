package dev.fanout.store.jdbc;

import dev.fanout.store.IdempotencyConflictException;
import dev.fanout.store.NewBatch;
import dev.fanout.store.Store;
import dev.fanout.store.StoreException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Accepting a batch ({@code Store.create}): its idempotency key, its tenant's quota and its rows in one writing
 * transaction. They live together because their order is the contract: the tenant's lock first (two instances never
 * both take the last place of a quota), the key before the quota (a client retrying an accepted request gets its
 * batch, never a 429), and a key taken meanwhile by a concurrent request answers that request's batch.
 */
final class Admission {
    private final Transactions tx;
    private final Dialect dialect;

    Admission(Transactions tx, Dialect dialect) {
        this.tx = tx;
        this.dialect = dialect;
    }

    /** See {@code Store.create}. */
    String create(NewBatch batch) {
        try {
            return insert(batch);
        } catch (StoreException e) {
            if (batch.idempotencyKey() == null || !(e.getCause() instanceof SQLException cause)
                    || !dialect.isUniqueViolation(cause)) {
                throw e;
            }
            // a request with the same key was stored first, while this one was being stored: answer as if it came first
            return tx.read("read the batch of an idempotency key", c -> sameRequest(c, batch)).orElseThrow(() -> e);
        }
    }

    private String insert(NewBatch batch) {
        return tx.write("store the batch", c -> {
            if (batch.quota().limited()) {
                dialect.lockTenant(c, batch.tenant());
            }
            if (batch.idempotencyKey() != null) {
                // before the quota: a client retrying a request that was accepted gets its batch, never a 429
                Optional<String> earlier = sameRequest(c, batch);
                if (earlier.isPresent()) {
                    return earlier.get();
                }
            }
            if (batch.quota().limited()) {
                Quotas.admit(c, batch.tenant(), batch.quota(), batch.createdAt(), batch.tasks().size(),
                        batch.concurrency());
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO fanout_batches (id, state, options, total, "
                    + "created_at, tenant_idempotency_key, request_hash, owner, lease_until, tenant, concurrency, "
                    + "epoch) "
                    + "VALUES (?, 'RUNNING', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, batch.id());
                s.setString(2, batch.options());
                s.setInt(3, batch.tasks().size());
                s.setLong(4, batch.createdAt());
                s.setString(5, batch.idempotencyKey());
                s.setString(6, batch.requestHash());
                s.setString(7, batch.owner());
                s.setLong(8, batch.leaseUntil());
                s.setString(9, batch.tenant());
                s.setInt(10, batch.concurrency());
                s.setLong(11, Store.FIRST_EPOCH);
                s.executeUpdate();
            }
            dialect.insertTasks(c, batch.id(), batch.tasks());
            return batch.id();
        });
    }

    private static Optional<String> sameRequest(Connection c, NewBatch batch) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT id, request_hash FROM fanout_batches WHERE tenant = ? AND tenant_idempotency_key = ?")) {
            s.setString(1, batch.tenant());
            s.setString(2, batch.idempotencyKey());
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                if (!batch.requestHash().equals(r.getString(2))) {
                    throw new IdempotencyConflictException(r.getString(1));
                }
                return Optional.of(r.getString(1));
            }
        }
    }
}
