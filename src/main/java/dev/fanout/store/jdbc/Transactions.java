package dev.fanout.store.jdbc;

import dev.fanout.store.StoreException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one transaction each store call runs in: begun as the dialect says, committed when the work returns, rolled
 * back on any failure, which the caller gets as a {@link StoreException} naming what could not be done. Every part of
 * the SQL store goes through it, so that none opens, commits or leaks a connection of its own.
 */
final class Transactions {
    /** Platform threads for the calls of virtual threads, with a driver that pins them (at most its pool's size). */
    private static final int OFF_CARRIER_THREADS = 8;

    private final DataSource dataSource;
    private final Dialect dialect;
    private final ExecutorService offCarrier;
    /**
     * With such a driver (SQLite, one writer at a time, one instance per file), this process's writers queue here,
     * parked, rather than in the database's busy handler: several waiting there at once got SQLITE_BUSY on release.
     */
    private final ReentrantLock writer = new ReentrantLock();

    Transactions(DataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        if (dialect.pinsCarriers()) {
            AtomicInteger n = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(OFF_CARRIER_THREADS, OFF_CARRIER_THREADS, 30,
                    TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> Thread.ofPlatform().daemon()
                    .name("fanout-" + dialect.kind() + "-" + n.incrementAndGet()).unstarted(r));
            pool.allowCoreThreadTimeOut(true); // idle, none is left
            this.offCarrier = pool;
        } else {
            this.offCarrier = null;
        }
    }

    /** Runs reads in one transaction; any SQL failure rolls it back and is a {@link StoreException}. */
    <T> T read(String what, SqlWork<T> work) {
        return transaction(what, false, work);
    }

    /** Runs {@code work}, which writes, in one transaction; see {@link Dialect#begin}. */
    <T> T write(String what, SqlWork<T> work) {
        return transaction(what, true, work);
    }

    /**
     * On the caller's thread, or, for a virtual thread with a driver that pins it, on a platform thread while the
     * virtual thread waits unmounted: a write waiting for SQLite's lock must not hold a carrier that IO tasks need.
     */
    private <T> T transaction(String what, boolean writes, SqlWork<T> work) {
        if (offCarrier == null || !Thread.currentThread().isVirtual()) {
            return inTransaction(what, writes, work);
        }
        try {
            return CompletableFuture.supplyAsync(() -> inTransaction(what, writes, work), offCarrier).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private <T> T inTransaction(String what, boolean writes, SqlWork<T> work) {
        if (offCarrier == null || !writes) {
            return transact(what, writes, work);
        }
        writer.lock();
        try {
            return transact(what, true, work);
        } finally {
            writer.unlock();
        }
    }

    private <T> T transact(String what, boolean writes, SqlWork<T> work) {
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
