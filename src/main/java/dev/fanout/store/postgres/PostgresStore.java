package dev.fanout.store.postgres;

import dev.fanout.store.StoreEvents;
import dev.fanout.store.jdbc.JdbcStore;

import javax.sql.DataSource;

/**
 * A PostgreSQL database shared by several instances ({@code fanout.store.kind=postgres}). A batch belongs to the
 * instance holding its lease; leases that run out are claimed by another instance ({@code FOR UPDATE SKIP LOCKED}:
 * two instances never claim the same batch). Stored results and cancel requests are announced with NOTIFY in the
 * transaction that writes them, so streams on other instances and the batch's owner hear of them at once.
 */
public final class PostgresStore extends JdbcStore {
    static final String RESULTS_CHANNEL = "fanout_results";
    static final String STOP_CHANNEL = "fanout_stop";

    private final Listener listener;

    public PostgresStore(DataSource dataSource) {
        super(dataSource, new PostgresDialect());
        this.listener = new Listener(dataSource);
    }

    @Override
    public void listen(StoreEvents events) {
        listener.start(events);
    }

    @Override
    public void close() {
        listener.close();
    }
}
