package dev.fanout.store.postgres;

import dev.fanout.store.StoreEvents;
import dev.fanout.store.jdbc.JdbcStore;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

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
    public List<String> claim(String owner, long now, long leaseUntil, boolean force, int max) {
        return write("claim running batches", c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE fanout_batches SET owner = ?, lease_until = ? "
                    + "WHERE id IN (SELECT id FROM fanout_batches WHERE state = 'RUNNING' "
                    + "AND (? OR lease_until IS NULL OR lease_until < ?) ORDER BY created_at LIMIT ? "
                    + "FOR UPDATE SKIP LOCKED) RETURNING id")) {
                s.setString(1, owner);
                s.setLong(2, leaseUntil);
                s.setBoolean(3, force);
                s.setLong(4, now);
                s.setInt(5, max);
                List<String> ids = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        ids.add(r.getString(1));
                    }
                }
                return ids;
            }
        });
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
