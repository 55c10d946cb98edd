package dev.fanout.store.jdbc;

import dev.fanout.store.Change;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The statements of one group commit ({@code Store.apply}), all appends but a row per batch: attempts started (one row
 * per batch and attempt number, its tasks packed), results (one row each, only for batches the writer still holds, at
 * most one per task), the batches' counts, their ends (only by their owner).
 */
final class GroupWrites {
    private GroupWrites() {
    }

    /** What one group commit changes in one batch's row. */
    static final class BatchDelta {
        int succeeded;
        int failed;
        int cancelled;
        int maxSeq;
        Integer running;
    }

    /** Inserts results of one batch, skipping tasks that have one; answers the indexes inserted. */
    interface ResultInserter {
        Set<Integer> insert(Connection c, String batchId, List<Change.Finished> results) throws SQLException;
    }

    static void starts(Connection c, List<Change.Started> started) throws SQLException {
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
    static Set<String> results(Connection c, List<Change.Finished> finished, Map<String, BatchDelta> deltas,
                               ResultInserter inserter) throws SQLException {
        Map<String, List<Change.Finished>> byBatch = new TreeMap<>();
        for (Change.Finished f : finished) {
            byBatch.computeIfAbsent(f.batchId(), k -> new ArrayList<>()).add(f);
        }
        Set<String> stale = new java.util.HashSet<>();
        for (var batch : byBatch.entrySet()) {
            Set<Integer> inserted = inserter.insert(c, batch.getKey(), batch.getValue());
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
     * @param lockOwner reads (and, where the database can, locks) a batch's owner for the rest of the transaction
     */
    static boolean heldBy(Connection c, String batchId, String owner, String lockOwner) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(lockOwner)) {
            s.setString(1, batchId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return false; // expired meanwhile
                }
                String holder = r.getString(1);
                return holder == null || holder.equals(owner);
            }
        }
    }

    static void deltas(Connection c, Map<String, BatchDelta> deltas) throws SQLException {
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

    static void ends(Connection c, List<Change.Ended> ended) throws SQLException {
        if (ended.isEmpty()) {
            return;
        }
        ended = ended.stream().sorted(java.util.Comparator.comparing(Change.Ended::batchId)).toList();
        try (PreparedStatement s = c.prepareStatement("UPDATE fanout_batches SET state = ?, finished_at = ?, "
                + "running = 0, owner = NULL, lease_until = NULL WHERE id = ? AND state = 'RUNNING' "
                + "AND (owner = ? OR owner IS NULL)")) {
            for (Change.Ended e : ended) {
                s.setString(1, e.state());
                s.setLong(2, e.finishedAt());
                s.setString(3, e.batchId());
                s.setString(4, e.owner());
                s.addBatch();
            }
            s.executeBatch();
        }
    }
}
