package dev.fanout.store.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fanout.core.Json;
import dev.fanout.core.TaskSpec;
import dev.fanout.store.Scope;
import dev.fanout.store.Store;
import dev.fanout.store.StoredBatch;
import dev.fanout.store.StoredResult;
import dev.fanout.store.StoredTask;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The SQL stores' reads, each on a connection of the caller's transaction. */
final class Reads {
    private static final String BATCH_COLUMNS = "id, state, options, total, running, succeeded, failed, cancelled, "
            + "created_at, finished_at, stop_reason, stopped_by_client, owner, lease_until, max_seq, tenant";

    private Reads() {
    }

    static Optional<StoredBatch> find(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + BATCH_COLUMNS + " FROM fanout_batches WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(batch(r)) : Optional.empty();
            }
        }
    }

    static List<StoredBatch> list(Connection c, Scope scope, String state, int offset, int limit)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + BATCH_COLUMNS + " FROM fanout_batches"
                + where(scope, state) + " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?")) {
            int p = bind(s, scope, state);
            s.setInt(p++, limit);
            s.setInt(p, offset);
            List<StoredBatch> page = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    page.add(batch(r));
                }
            }
            return page;
        }
    }

    static int count(Connection c, Scope scope, String state) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM fanout_batches" + where(scope, state))) {
            bind(s, scope, state);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    private static String where(Scope scope, String state) {
        List<String> terms = new ArrayList<>();
        if (!scope.all()) {
            terms.add(scope.unowned() ? "(tenant = ? OR tenant IS NULL)" : "tenant = ?");
        }
        if (state != null) {
            terms.add("state = ?");
        }
        return terms.isEmpty() ? "" : " WHERE " + String.join(" AND ", terms);
    }

    /** Binds {@link #where}'s parameters; answers the next parameter's place. */
    private static int bind(PreparedStatement s, Scope scope, String state) throws SQLException {
        int p = 1;
        if (!scope.all()) {
            s.setString(p++, scope.tenant());
        }
        if (state != null) {
            s.setString(p++, state);
        }
        return p;
    }

    static List<StoredResult> results(Connection c, String batchId, boolean inputOrder, int after, int limit)
            throws SQLException {
        String sql = inputOrder
                ? "SELECT seq, idx, result FROM fanout_results WHERE batch_id = ? AND idx >= ? ORDER BY idx LIMIT ?"
                : "SELECT seq, idx, result FROM fanout_results WHERE batch_id = ? AND seq > ? ORDER BY seq LIMIT ?";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, batchId);
            s.setInt(2, after);
            s.setInt(3, limit);
            List<StoredResult> page = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    if (inputOrder && r.getInt(2) != after + page.size()) {
                        break; // input order stops at the first task without a result
                    }
                    page.add(new StoredResult(r.getInt(1), r.getInt(2), Rows.result(r.getString(3))));
                }
            }
            return page;
        }
    }

    static StoredBatch batch(ResultSet r) throws SQLException {
        long finished = r.getLong(10);
        Long finishedAt = r.wasNull() ? null : finished;
        long lease = r.getLong(14);
        Long leaseUntil = r.wasNull() ? null : lease;
        return new StoredBatch(r.getString(1), r.getString(2), r.getString(3), r.getInt(4), r.getInt(5), r.getInt(6),
                r.getInt(7), r.getInt(8), r.getLong(9), finishedAt, r.getString(11), r.getBoolean(12), r.getString(13),
                leaseUntil, r.getInt(15), r.getString(16));
    }

    static Optional<Store.Resumable> load(Connection c, String id) throws SQLException {
        Optional<StoredBatch> batch = find(c, id);
        if (batch.isEmpty()) {
            return Optional.empty();
        }
        int n = batch.get().total();
        int[][] started = startedAttempts(c, id, n);
        int[] attempts = started[0];
        StoredResult[] results = new StoredResult[n];
        for (StoredResult r : results(c, id, false, 0, Integer.MAX_VALUE)) {
            results[r.index()] = r;
        }
        List<StoredTask> tasks = new ArrayList<>(n);
        try (PreparedStatement s = c.prepareStatement("SELECT idx, task_id, function, input FROM fanout_tasks "
                + "WHERE batch_id = ? ORDER BY idx")) {
            s.setString(1, id);
            s.setFetchSize(1000);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    int idx = r.getInt(1);
                    StoredResult result = results[idx];
                    int tries = Math.max(attempts[idx], result == null ? 0 : result.result().attempts());
                    tasks.add(new StoredTask(idx, new TaskSpec(r.getString(2), r.getString(3),
                            Json.mapper().readTree(r.getString(4))), tries, started[1][idx], result == null ? 0 : result.seq(),
                            result == null ? null : result.result()));
                }
            } catch (JsonProcessingException e) {
                throw new SQLException("a stored task's input is not JSON: " + e.getMessage(), e);
            }
        }
        return Optional.of(new Store.Resumable(batch.get(), tasks));
    }

    /**
     * From the packed rows of fanout_starts: the highest attempt started of each task, and how many it had at the
     * batch's latest redrive (rows of negative attempt numbers, written by the redrive).
     */
    static int[][] startedAttempts(Connection c, String id, int n) throws SQLException {
        int[] attempts = new int[n];
        int[] retriedAfter = new int[n];
        try (PreparedStatement s = c.prepareStatement("SELECT attempt, indexes FROM fanout_starts WHERE batch_id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    int attempt = r.getInt(1);
                    int[] into = attempt < 0 ? retriedAfter : attempts;
                    for (String index : r.getString(2).split(",")) {
                        int i = Integer.parseInt(index);
                        into[i] = Math.max(into[i], Math.abs(attempt));
                    }
                }
            }
        }
        return new int[][] {attempts, retriedAfter};
    }
}
