package dev.fanout.store.postgres;

import dev.fanout.store.jdbc.Dialect;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * PostgreSQL's side of the SQL store, which several instances share. Row locks and an advisory lock per tenant keep
 * them from stepping on each other's batches and quotas.
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
}
