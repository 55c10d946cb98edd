package dev.fanout.store.postgres;

import dev.fanout.store.StoreEvents;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Hears what other instances announce (LISTEN on one connection of its own), and passes it on. A lost connection is
 * opened again after a pause; what was announced meanwhile is not replayed, which is why followers of a batch also
 * look again from time to time.
 */
final class Listener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Listener.class.getName());
    private static final int POLL_MILLIS = 500;
    private static final long RECONNECT_MILLIS = 1000;
    private static final long CHECK_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    private final DataSource dataSource;
    private volatile boolean closed;
    private Thread thread;

    Listener(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    synchronized void start(StoreEvents events) {
        if (thread == null && !closed) {
            thread = Thread.ofPlatform().daemon().name("fanout-store-listener").start(() -> run(events));
        }
    }

    private void run(StoreEvents events) {
        while (!closed) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                c.setAutoCommit(true);
                s.execute("LISTEN " + PostgresStore.RESULTS_CHANNEL);
                s.execute("LISTEN " + PostgresStore.STOP_CHANNEL);
                PGConnection pg = c.unwrap(PGConnection.class);
                long checked = System.nanoTime();
                while (!closed) {
                    PGNotification[] notes = pg.getNotifications(POLL_MILLIS);
                    if (notes == null) {
                        if (System.nanoTime() - checked > CHECK_NANOS) {
                            // waiting for notifications never fails on a connection that died silently (a failover,
                            // a cut network); a statement does, within the socket timeout, and the loop listens again
                            s.execute("SELECT 1");
                            checked = System.nanoTime();
                        }
                        continue;
                    }
                    for (PGNotification n : notes) {
                        dispatch(events, n);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "store notifications lost, listening again: " + e);
                    pause();
                }
            }
        }
    }

    private static void dispatch(StoreEvents events, PGNotification n) {
        try {
            if (n.getName().equals(PostgresStore.RESULTS_CHANNEL)) {
                events.resultsStored(n.getParameter());
            } else if (n.getName().equals(PostgresStore.STOP_CHANNEL)) {
                events.stopRequested(n.getParameter());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "a store notification could not be handled", e);
        }
    }

    private void pause() {
        try {
            Thread.sleep(RECONNECT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
