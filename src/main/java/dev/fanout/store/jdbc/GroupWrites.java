package dev.fanout.store.jdbc;

import dev.fanout.store.Change;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A group commit ({@code Store.apply}): the changes of many batches in one writing transaction, all appends but a row
 * per batch: attempts started (one row per batch and attempt number, its tasks packed), results (one row each, at most
 * one per task), the batches' counts, their ends; each only of a batch that still runs at the epoch its writer
 * holds. The order of its locks lives with its statements because the two change together: batch rows are locked
 * first, in id order as lease renewals take them, so that the two never deadlock.
 */
final class GroupWrites {
    private final Transactions tx;
    private final Dialect dialect;

    GroupWrites(Transactions tx, Dialect dialect) {
        this.tx = tx;
        this.dialect = dialect;
    }

    /** See {@code Store.apply}. */
    Set<String> apply(Map<String, Long> epochs, List<Change> changes) {
        if (changes.isEmpty()) {
            return Set.of();
        }
        return tx.write("store results", c -> {
            // every batch row of the group is locked first, in id order, as in renew: never a deadlock between them
            Set<String> held = new TreeSet<>();
            Set<String> lost = new HashSet<>();
            for (String id : new TreeSet<>(changes.stream().map(Change::batchId).toList())) {
                (runsAt(c, id, epochs.get(id), dialect.lockFenceSql()) ? held : lost).add(id);
            }
            Map<String, BatchDelta> deltas = new TreeMap<>();
            List<Change.Started> started = new ArrayList<>();
            List<Change.Finished> finished = new ArrayList<>();
            List<Change.Ended> ended = new ArrayList<>();
            List<Change.Stopped> stops = new ArrayList<>();
            for (Change change : changes) {
                if (!held.contains(change.batchId())) {
                    continue; // nothing more of a batch this writer lost: not its starts, results, counts or end
                }
                BatchDelta d = deltas.computeIfAbsent(change.batchId(), k -> new BatchDelta());
                switch (change) {
                    case Change.Started s -> started.add(s);
                    case Change.Finished f -> finished.add(f);
                    case Change.Progress p -> d.running = p.running();
                    case Change.Ended e -> ended.add(e);
                    case Change.Stopped s -> stops.add(s);
                }
            }
            starts(c, started);
            lost.addAll(results(c, finished, deltas, dialect));
            stops(c, stops);
            deltas(c, deltas);
            ends(c, ended, epochs);
            dialect.notifyStored(c, deltas.keySet());
            return lost;
        });
    }

    /** What one group commit changes in one batch's row. */
    private static final class BatchDelta {
        int succeeded;
        int failed;
        int cancelled;
        int maxSeq;
        Integer running;
    }

    private static void starts(Connection c, List<Change.Started> started) throws SQLException {
        if (started.isEmpty()) {
            return;
        }
        Map<String, Map<Integer, List<Integer>>> byBatch = new LinkedHashMap<>();
        for (Change.Started s : started) {
            byBatch.computeIfAbsent(s.batchId(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(s.attempt(), k -> new ArrayList<>()).add(s.index());
        }
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO fanout_starts (batch_id, attempt, indexes) VALUES (?, ?, ?)")) {
            for (var batch : byBatch.entrySet()) {
                for (var attempt : batch.getValue().entrySet()) {
                    s.setString(1, batch.getKey());
                    s.setInt(2, attempt.getKey());
                    s.setString(3, attempt.getValue().stream().map(String::valueOf).collect(Collectors.joining(",")));
                    s.addBatch();
                }
            }
            s.executeBatch();
        }
    }

    /**
     * Results of batches the writer holds (checked by the caller); answers the batches of which a result was not
     * inserted because its task had one already.
     */
    private static Set<String> results(Connection c, List<Change.Finished> finished, Map<String, BatchDelta> deltas,
                                       Dialect dialect) throws SQLException {
        Map<String, List<Change.Finished>> byBatch = new TreeMap<>();
        for (Change.Finished f : finished) {
            byBatch.computeIfAbsent(f.batchId(), k -> new ArrayList<>()).add(f);
        }
        Set<String> stale = new java.util.HashSet<>();
        for (var batch : byBatch.entrySet()) {
            Set<Integer> inserted = dialect.insertResults(c, batch.getKey(), batch.getValue());
            BatchDelta d = deltas.get(batch.getKey());
            for (Change.Finished f : batch.getValue()) {
                if (!inserted.contains(f.index())) {
                    stale.add(f.batchId()); // its task had a result already: never a second one
                    continue;
                }
                switch (f.result().state()) {
                    case SUCCEEDED -> d.succeeded++;
                    case FAILED -> d.failed++;
                    case CANCELLED -> d.cancelled++;
                }
                d.maxSeq = Math.max(d.maxSeq, f.seq());
            }
        }
        return stale;
    }

    /**
     * Whether the batch still runs at the writer's {@code epoch}: not claimed since (by anyone, its writer too), not
     * ended, not expired.
     *
     * @param lockFence reads (and, where the database can, locks) a batch's epoch and state for the rest of the
     *                  transaction
     */
    private static boolean runsAt(Connection c, String batchId, Long epoch, String lockFence) throws SQLException {
        if (epoch == null) {
            return false; // a writer that holds no claim of it
        }
        try (PreparedStatement s = c.prepareStatement(lockFence)) {
            s.setString(1, batchId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return false; // expired meanwhile
                }
                return r.getLong(1) == epoch && "RUNNING".equals(r.getString(2));
            }
        }
    }

    private static void deltas(Connection c, Map<String, BatchDelta> deltas) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE fanout_batches SET succeeded = succeeded + ?, "
                + "failed = failed + ?, cancelled = cancelled + ?, "
                + "max_seq = CASE WHEN max_seq > ? THEN max_seq ELSE ? END, "
                + "running = COALESCE(?, running) WHERE id = ?")) {
            for (Map.Entry<String, BatchDelta> e : deltas.entrySet()) {
                BatchDelta d = e.getValue();
                s.setInt(1, d.succeeded);
                s.setInt(2, d.failed);
                s.setInt(3, d.cancelled);
                s.setInt(4, d.maxSeq);
                s.setInt(5, d.maxSeq);
                if (d.running == null) {
                    s.setNull(6, Types.INTEGER);
                } else {
                    s.setInt(6, d.running);
                }
                s.setString(7, e.getKey());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** The stops decided by the run, with the results that decided them; a stop stored earlier stays. */
    private static void stops(Connection c, List<Change.Stopped> stops) throws SQLException {
        if (stops.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE fanout_batches SET stop_reason = ?, "
                + "stopped_by_client = ? WHERE id = ? AND state = 'RUNNING' AND stop_reason IS NULL")) {
            for (Change.Stopped stop : stops) {
                s.setString(1, stop.reason());
                s.setBoolean(2, stop.byClient());
                s.setString(3, stop.batchId());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private static void ends(Connection c, List<Change.Ended> ended, Map<String, Long> epochs) throws SQLException {
        if (ended.isEmpty()) {
            return;
        }
        ended = ended.stream().sorted(java.util.Comparator.comparing(Change.Ended::batchId)).toList();
        try (PreparedStatement s = c.prepareStatement("UPDATE fanout_batches SET state = ?, finished_at = ?, "
                + "running = 0, owner = NULL, lease_until = NULL WHERE id = ? AND state = 'RUNNING' AND epoch = ?")) {
            for (Change.Ended e : ended) {
                s.setString(1, e.state());
                s.setLong(2, e.finishedAt());
                s.setString(3, e.batchId());
                s.setLong(4, epochs.get(e.batchId()));
                s.addBatch();
            }
            s.executeBatch();
        }
    }
}
