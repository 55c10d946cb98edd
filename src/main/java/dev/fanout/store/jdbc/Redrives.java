package dev.fanout.store.jdbc;

import dev.fanout.store.Quota;
import dev.fanout.store.StoredBatch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Running a finished batch again ({@code Store.redrive}): its failures and cancellations lose their results, its
 * successes stay, in one writing transaction. Its bookkeeping is its own: the tenant's quota counted as an admission
 * (under the tenant's lock, as in {@link Admission}), and how many attempts each task had, from which its retries count
 * again.
 */
final class Redrives {
    private final Transactions tx;
    private final Dialect dialect;

    Redrives(Transactions tx, Dialect dialect) {
        this.tx = tx;
        this.dialect = dialect;
    }

    /** See {@code Store.redrive}. */
    OptionalLong redrive(String id, String options, String owner, long leaseUntil, int concurrency, Quota quota) {
        return tx.write("redrive the batch", c -> {
            if (quota.limited()) {
                Optional<StoredBatch> row = Reads.find(c, id);
                if (row.isEmpty() || row.get().isRunning()) {
                    return OptionalLong.empty();
                }
                String tenant = row.get().tenant();
                dialect.lockTenant(c, tenant);
                Quotas.admit(c, tenant, quota, System.currentTimeMillis(), row.get().failed() + row.get().cancelled(),
                        concurrency);
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE fanout_batches SET state = 'RUNNING', options = ?, "
                    + "finished_at = NULL, stop_reason = NULL, stopped_by_client = ?, failed = 0, cancelled = 0, "
                    + "running = 0, owner = ?, lease_until = ?, concurrency = ?, epoch = epoch + 1 "
                    + "WHERE id = ? AND state <> 'RUNNING'")) {
                s.setString(1, options);
                s.setBoolean(2, false);
                s.setString(3, owner);
                s.setLong(4, leaseUntil);
                s.setInt(5, concurrency);
                s.setString(6, id);
                if (s.executeUpdate() == 0) {
                    return OptionalLong.empty();
                }
            }
            markRetriesFrom(c, id);
            try (PreparedStatement s = c.prepareStatement("DELETE FROM fanout_results WHERE batch_id = ? "
                    + "AND state IN ('FAILED', 'CANCELLED')")) {
                s.setString(1, id);
                s.executeUpdate();
            }
            return OptionalLong.of(epoch(c, id));
        });
    }

    private static long epoch(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT epoch FROM fanout_batches WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /**
     * Remembers, for each task a redrive runs again, how many attempts it had: its retries count from there (a row of
     * fanout_starts with the negated number), while a restart goes on counting.
     */
    private static void markRetriesFrom(Connection c, String id) throws SQLException {
        int total;
        try (PreparedStatement s = c.prepareStatement("SELECT total FROM fanout_batches WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                total = r.getInt(1);
            }
        }
        int[] attempts = Reads.startedAttempts(c, id, total)[0];
        Map<Integer, List<String>> byAttempts = new TreeMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT idx FROM fanout_results WHERE batch_id = ? "
                + "AND state IN ('FAILED', 'CANCELLED')")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    int idx = r.getInt(1);
                    if (attempts[idx] > 0) {
                        byAttempts.computeIfAbsent(attempts[idx], k -> new ArrayList<>()).add(String.valueOf(idx));
                    }
                }
            }
        }
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO fanout_starts (batch_id, attempt, indexes) VALUES (?, ?, ?)")) {
            for (var e : byAttempts.entrySet()) {
                s.setString(1, id);
                s.setInt(2, -e.getKey());
                s.setString(3, String.join(",", e.getValue()));
                s.addBatch();
            }
            s.executeBatch();
        }
    }
}
