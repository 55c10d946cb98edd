package dev.fanout.store.jdbc;

import dev.fanout.core.TaskSpec;
import dev.fanout.store.Change;
import dev.fanout.store.Store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * What SQLite and PostgreSQL do differently under the one SQL store ({@link JdbcStore}). An object rather than
 * overrides, so that a database's differences read in one place (its {@code SqliteDialect} or {@code PostgresDialect})
 * and each part of the store asks it for exactly what it needs. Its methods run on the connection of the caller's
 * transaction and never commit.
 */
public interface Dialect {

    /** {@code sqlite} or {@code postgres}: the store's kind, and how its errors name it. */
    String kind();

    /** Whether several instances may share the database (see {@code Store.shared}). */
    boolean shared();

    /**
     * Whether its driver blocks in native code (SQLite's: a write waits for the file lock in a native busy handler),
     * which pins a virtual thread to its carrier: the store then runs a virtual thread's calls on platform threads.
     */
    default boolean pinsCarriers() {
        return false;
    }

    /** Starts a transaction on {@code c}; a database may begin one that {@code writes} otherwise. */
    void begin(Connection c, boolean writes) throws SQLException;

    /** Whether the statement broke a unique constraint (an idempotency key taken meanwhile). */
    boolean isUniqueViolation(SQLException e);

    /**
     * Serialises the admissions of one tenant until the transaction ends, so that two instances cannot both take the
     * last place of a quota.
     */
    void lockTenant(Connection c, String tenant) throws SQLException;

    /**
     * A query of a batch's epoch and state (its one parameter: the batch's id) for the rest of a group commit; a
     * database with row locks locks the row too.
     */
    String lockFenceSql();

    /** Inserts a new batch's tasks, in input order from index 0. */
    void insertTasks(Connection c, String batchId, List<TaskSpec> tasks) throws SQLException;

    /** Inserts results of one batch, skipping any task that has one; answers the indexes inserted. */
    Set<Integer> insertResults(Connection c, String batchId, List<Change.Finished> results) throws SQLException;

    /** Tells other instances that these batches have new results (in the same transaction). */
    void notifyStored(Connection c, Collection<String> batchIds) throws SQLException;

    /** Tells other instances that a batch was asked to stop (in the same transaction). */
    void notifyStop(Connection c, String batchId) throws SQLException;

    /**
     * Makes {@code owner} the owner until {@code leaseUntil} of up to {@code max} running batches, oldest first, that
     * nobody holds at {@code now} (with {@code force}: any running batch), each at an epoch one higher; answers them
     * with their new epochs. Two instances at once never both claim a batch.
     */
    List<Store.Claim> claim(Connection c, String owner, long now, long leaseUntil, boolean force, int max)
            throws SQLException;
}
