package dev.fanout.store.postgres;

import dev.fanout.core.TaskSpec;
import dev.fanout.store.Change;
import dev.fanout.store.Store;
import dev.fanout.store.jdbc.Dialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * PostgreSQL's side of the SQL store, which several instances share. Row locks and an advisory lock per tenant keep
 * them from stepping on each other's batches and quotas; arrays unnested server-side ({@link Inserts}) put rows in by
 * the thousand, and NOTIFY in the writing transaction tells the other instances what was written.
 */
final class PostgresDialect implements Dialect {

    @Override
    public String kind() {
        return "postgres";
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public void begin(Connection c, boolean writes) throws SQLException {
        c.setAutoCommit(false);
    }

    @Override
    public boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    @Override
    public void lockTenant(Connection c, String tenant) throws SQLException {
        // held until commit or rollback; group commits never take it, so it cannot deadlock with them
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            s.setString(1, "fanout-tenant:" + tenant);
            s.execute();
        }
    }

    @Override
    public String lockFenceSql() {
        // a claim skips the row until this group is in; NO KEY: the foreign keys of the rows inserted need not wait
        return "SELECT epoch, state FROM fanout_batches WHERE id = ? FOR NO KEY UPDATE";
    }

    @Override
    public void insertTasks(Connection c, String batchId, List<TaskSpec> tasks) throws SQLException {
        Inserts.tasks(c, batchId, tasks);
    }

    @Override
    public Set<Integer> insertResults(Connection c, String batchId, List<Change.Finished> results)
            throws SQLException {
        return Inserts.results(c, batchId, results);
    }

    @Override
    public void notifyStored(Connection c, Collection<String> batchIds) throws SQLException {
        notify(c, PostgresStore.RESULTS_CHANNEL, batchIds);
    }

    @Override
    public void notifyStop(Connection c, String batchId) throws SQLException {
        notify(c, PostgresStore.STOP_CHANNEL, List.of(batchId));
    }

    /** One statement: {@code FOR UPDATE SKIP LOCKED} passes over rows another claim or a group commit holds. */
    @Override
    public List<Store.Claim> claim(Connection c, String owner, long now, long leaseUntil, boolean force, int max)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE fanout_batches SET owner = ?, lease_until = ?, "
                + "epoch = epoch + 1 "
                + "WHERE id IN (SELECT id FROM fanout_batches WHERE state = 'RUNNING' "
                + "AND (? OR lease_until IS NULL OR lease_until < ?) ORDER BY created_at LIMIT ? "
                + "FOR UPDATE SKIP LOCKED) RETURNING id, epoch")) {
            s.setString(1, owner);
            s.setLong(2, leaseUntil);
            s.setBoolean(3, force);
            s.setLong(4, now);
            s.setInt(5, max);
            List<Store.Claim> claims = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    claims.add(new Store.Claim(r.getString(1), r.getLong(2)));
                }
            }
            return claims;
        }
    }

    private static void notify(Connection c, String channel, Collection<String> payloads) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            for (String p : payloads) {
                s.setString(1, channel);
                s.setString(2, p);
                s.execute(); // delivered when the transaction commits, never before
            }
        }
    }
}
