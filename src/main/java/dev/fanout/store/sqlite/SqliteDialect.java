package dev.fanout.store.sqlite;

import dev.fanout.store.jdbc.Dialect;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteConnectionConfig;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * SQLite's side of the SQL store. One instance writes the file and SQLite runs one writing transaction at a time, so
 * what it must get right is how those transactions begin, not locks between instances.
 */
final class SqliteDialect implements Dialect {

    @Override
    public String kind() {
        return "sqlite";
    }

    @Override
    public boolean shared() {
        return false;
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
    public String lockOwnerSql() {
        return "SELECT owner FROM fanout_batches WHERE id = ?";
    }
}
