package dev.fanout.store.jdbc;

import dev.fanout.store.Change;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Map;

/**
 * The statements of one group commit ({@code Store.apply}), each kind of change as one JDBC batch: attempts started,
 * results (only where the task has none: exactly one per task, whoever writes first), the batches' counts, their
 * ends (only by their owner).
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

    static void starts(Connection c, List<Change.Started> started) throws SQLException {
        if (started.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE fanout_tasks SET attempts = ? WHERE batch_id = ? "
                + "AND idx = ? AND attempts < ?")) {
            for (Change.Started st : started) {
                s.setInt(1, st.attempt());
                s.setString(2, st.batchId());
                s.setInt(3, st.index());
                s.setInt(4, st.attempt());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    static void results(Connection c, List<Change.Finished> finished, Map<String, BatchDelta> deltas,
                                     List<Change.Finished> refused) throws SQLException {
        if (finished.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE fanout_tasks SET state = ?, seq = ?, result = ?, "
                + "attempts = CASE WHEN attempts > ? THEN attempts ELSE ? END "
                + "WHERE batch_id = ? AND idx = ? AND state IS NULL")) {
            for (Change.Finished f : finished) {
                s.setString(1, f.result().state().name());
                s.setInt(2, f.seq());
                s.setString(3, Rows.json(f.result()));
                s.setInt(4, f.result().attempts());
                s.setInt(5, f.result().attempts());
                s.setString(6, f.batchId());
                s.setInt(7, f.index());
                s.addBatch();
            }
            int[] counts = s.executeBatch();
            for (int i = 0; i < finished.size(); i++) {
                Change.Finished f = finished.get(i);
                if (counts[i] == 0) {
                    refused.add(f);
                    continue;
                }
                BatchDelta d = deltas.get(f.batchId());
                switch (f.result().state()) {
                    case SUCCEEDED -> d.succeeded++;
                    case FAILED -> d.failed++;
                    case CANCELLED -> d.cancelled++;
                }
                d.maxSeq = Math.max(d.maxSeq, f.seq());
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
