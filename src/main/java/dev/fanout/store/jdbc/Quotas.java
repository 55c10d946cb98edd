package dev.fanout.store.jdbc;

import dev.fanout.store.Quota;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** A tenant's quota, read and recorded in the transaction that admits its batch (the caller holds its lock). */
final class Quotas {
    private Quotas() {
    }

    /** Refuses ({@link dev.fanout.store.QuotaExceededException}) or records {@code tasks} admitted at {@code now}. */
    static void admit(Connection c, String tenant, Quota quota, long now, int tasks, int concurrency)
            throws SQLException {
        int running = 0;
        long reserved = 0;
        if (quota.maxRunning() > 0 || quota.maxConcurrency() > 0) {
            try (PreparedStatement s = c.prepareStatement("SELECT count(*), coalesce(sum(concurrency), 0) "
                    + "FROM fanout_batches WHERE tenant = ? AND state = 'RUNNING'")) {
                s.setString(1, tenant);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    running = r.getInt(1);
                    reserved = r.getLong(2);
                }
            }
        }
        List<Quota.Admission> window = new ArrayList<>();
        if (quota.maxTasksPerMinute() > 0) {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM fanout_admissions WHERE tenant = ? AND at <= ?")) {
                s.setString(1, tenant);
                s.setLong(2, now - Quota.WINDOW_MILLIS);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("SELECT at, tasks FROM fanout_admissions WHERE tenant = ? "
                    + "ORDER BY at")) {
                s.setString(1, tenant);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        window.add(new Quota.Admission(r.getLong(1), r.getInt(2)));
                    }
                }
            }
        }
        quota.check(tenant, running, reserved, window, now, tasks, concurrency);
        if (quota.maxTasksPerMinute() > 0) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO fanout_admissions (tenant, at, tasks) "
                    + "VALUES (?, ?, ?)")) {
                s.setString(1, tenant);
                s.setLong(2, now);
                s.setInt(3, tasks);
                s.executeUpdate();
            }
        }
    }

    /** Forgets admissions that left every window. */
    static void expire(Connection c, long now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM fanout_admissions WHERE at <= ?")) {
            s.setLong(1, now - Quota.WINDOW_MILLIS);
            s.executeUpdate();
        }
    }
}
