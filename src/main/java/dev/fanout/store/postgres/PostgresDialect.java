package dev.fanout.store.postgres;

import dev.fanout.core.TaskSpec;
import dev.fanout.store.Change;
import dev.fanout.store.jdbc.Dialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * PostgreSQL's side of the SQL store, which several instances share. Row locks and an advisory lock per tenant keep
 * them from stepping on each other's batches and quotas; arrays unnested server-side ({@link Inserts}) put rows in by
 * the thousand.
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
    public String lockOwnerSql() {
        // a claim skips the row until this group is in; NO KEY: the foreign keys of the rows inserted need not wait
        return "SELECT owner FROM fanout_batches WHERE id = ? FOR NO KEY UPDATE";
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
}
