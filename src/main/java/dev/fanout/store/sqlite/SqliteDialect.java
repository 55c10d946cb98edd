package dev.fanout.store.sqlite;

import dev.fanout.core.TaskSpec;
import dev.fanout.store.Change;
import dev.fanout.store.Store;
import dev.fanout.store.jdbc.Dialect;
import dev.fanout.store.jdbc.Rows;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteConnectionConfig;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * SQLite's side of the SQL store. One instance writes the file and SQLite runs one writing transaction at a time, so
 * what it must get right is how those transactions begin, not locks between instances.
 */
final class SqliteDialect implements Dialect {
    private static final int INSERT_BATCH = 1000;

    @Override
    public String kind() {
        return "sqlite";
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public boolean pinsCarriers() {
        return true; // JNI: every call pins, and a write waiting on the file lock waits in native code
    }

    /**
     * A transaction that writes begins IMMEDIATE: it takes the write lock first, waiting its turn (busy_timeout).
     * Begun DEFERRED, one that reads and then writes fails at once with SQLITE_BUSY when another connection committed
     * in between (WAL mode cannot move its snapshot forward): a spurious 503, a journal group tried again.
     */
    @Override
    public void begin(Connection c, boolean writes) throws SQLException {
        if (!writes) {
            c.setAutoCommit(false);
            return;
        }
        SQLiteConnectionConfig config = c.unwrap(SQLiteConnection.class).getConnectionConfig();
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        try {
            c.setAutoCommit(false); // BEGIN IMMEDIATE
        } finally {
            // the driver begins the next transaction as soon as this one ends: that one must not hold the lock
            config.setTransactionMode(SQLiteConfig.TransactionMode.DEFERRED);
        }
    }

    @Override
    public boolean isUniqueViolation(SQLException e) {
        return e instanceof org.sqlite.SQLiteException s
                && s.getResultCode() == org.sqlite.SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE;
    }

    /** Nothing: SQLite's writing transactions are serial already. */
    @Override
    public void lockTenant(Connection c, String tenant) {
    }

    @Override
    public String lockFenceSql() {
        return "SELECT epoch, state FROM fanout_batches WHERE id = ?";
    }

    /** Prepared statements in JDBC batches. */
    @Override
    public void insertTasks(Connection c, String batchId, List<TaskSpec> tasks) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO fanout_tasks (batch_id, idx, task_id, function, "
                + "input) VALUES (?, ?, ?, ?, ?)")) {
            for (int i = 0; i < tasks.size(); i++) {
                TaskSpec t = tasks.get(i);
                s.setString(1, batchId);
                s.setInt(2, i);
                s.setString(3, t.id());
                s.setString(4, t.function());
                s.setString(5, t.input().toString());
                s.addBatch();
                if ((i + 1) % INSERT_BATCH == 0) {
                    s.executeBatch();
                }
            }
            s.executeBatch();
        }
    }

    /** One prepared statement in a JDBC batch, whose update counts tell which rows went in. */
    @Override
    public Set<Integer> insertResults(Connection c, String batchId, List<Change.Finished> results)
            throws SQLException {
        Set<Integer> inserted = new HashSet<>();
        try (PreparedStatement s = c.prepareStatement("INSERT INTO fanout_results (batch_id, seq, idx, state, result) "
                + "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (Change.Finished f : results) {
                s.setString(1, batchId);
                s.setInt(2, f.seq());
                s.setInt(3, f.index());
                s.setString(4, f.result().state().name());
                s.setString(5, Rows.json(f.result()));
                s.addBatch();
            }
            int[] counts = s.executeBatch();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] != 0) {
                    inserted.add(results.get(i).index());
                }
            }
        }
        return inserted;
    }

    /** Nothing: no other instance shares the file. */
    @Override
    public void notifyStored(Connection c, Collection<String> batchIds) {
    }

    /** Nothing: no other instance shares the file. */
    @Override
    public void notifyStop(Connection c, String batchId) {
    }

    /** A select, then an update: the transaction began IMMEDIATE, nobody writes in between. */
    @Override
    public List<Store.Claim> claim(Connection c, String owner, long now, long leaseUntil, boolean force, int max)
            throws SQLException {
        List<Store.Claim> claims = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT id, epoch FROM fanout_batches WHERE state = 'RUNNING' "
                + "AND (? OR owner IS NULL OR lease_until < ?) ORDER BY created_at LIMIT ?")) {
            s.setBoolean(1, force);
            s.setLong(2, now);
            s.setInt(3, max);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    claims.add(new Store.Claim(r.getString(1), r.getLong(2) + 1));
                }
            }
        }
        // under the write lock this transaction took first (IMMEDIATE): nobody claims or writes in between
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE fanout_batches SET owner = ?, lease_until = ?, epoch = ? WHERE id = ?")) {
            for (Store.Claim claim : claims) {
                s.setString(1, owner);
                s.setLong(2, leaseUntil);
                s.setLong(3, claim.epoch());
                s.setString(4, claim.batchId());
                s.addBatch();
            }
            s.executeBatch();
        }
        return claims;
    }
}
