package dev.fanout.store.jdbc;

import dev.fanout.store.StoreException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The one transaction each store call runs in: begun as the dialect says, committed when the work returns, rolled
 * back on any failure, which the caller gets as a {@link StoreException} naming what could not be done. Every part of
 * the SQL store goes through it, so that none opens, commits or leaks a connection of its own.
 */
final class Transactions {
    private final DataSource dataSource;
    private final Dialect dialect;

    Transactions(DataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    /** Runs reads in one transaction; any SQL failure rolls it back and is a {@link StoreException}. */
    <T> T read(String what, SqlWork<T> work) {
        return transaction(what, false, work);
    }

    /** Runs {@code work}, which writes, in one transaction; see {@link Dialect#begin}. */
    <T> T write(String what, SqlWork<T> work) {
        return transaction(what, true, work);
    }

    private <T> T transaction(String what, boolean writes, SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            dialect.begin(c, writes);
            try {
                T answer = work.run(c);
                c.commit();
                return answer;
            } catch (SQLException | RuntimeException e) {
                rollback(c);
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("the " + dialect.kind() + " store could not " + what + ": " + e.getMessage(), e);
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken: the transaction is gone with it
        }
    }

    /** A unit of work on one connection. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }
}
