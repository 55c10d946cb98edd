package dev.fanout.store.postgres;

import dev.fanout.core.TaskSpec;
import dev.fanout.store.Change;
import dev.fanout.store.jdbc.Rows;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rows in bulk as PostgreSQL takes them fastest: arrays unnested server-side, one statement for thousands of rows where a
 * JDBC batch costs one statement execution per row. Results go in with {@code ON CONFLICT DO NOTHING} for a task that
 * has its result already, and {@code RETURNING} to tell which went in.
 */
final class Inserts {
    private static final int TASKS_PER_STATEMENT = 10_000;

    private Inserts() {
    }

    static Set<Integer> results(Connection c, String batchId, List<Change.Finished> results) throws SQLException {
        int n = results.size();
        Integer[] seqs = new Integer[n];
        Integer[] indexes = new Integer[n];
        String[] states = new String[n];
        String[] json = new String[n];
        for (int i = 0; i < n; i++) {
            Change.Finished f = results.get(i);
            seqs[i] = f.seq();
            indexes[i] = f.index();
            states[i] = f.result().state().name();
            json[i] = Rows.json(f.result());
        }
        Set<Integer> inserted = new HashSet<>();
        try (PreparedStatement s = c.prepareStatement("INSERT INTO fanout_results (batch_id, seq, idx, state, result) "
                + "SELECT ?, * FROM unnest(?::int[], ?::int[], ?::text[], ?::text[]) "
                + "ON CONFLICT DO NOTHING RETURNING idx")) {
            Array a = c.createArrayOf("int4", seqs);
            Array b = c.createArrayOf("int4", indexes);
            Array d = c.createArrayOf("text", states);
            Array e = c.createArrayOf("text", json);
            s.setString(1, batchId);
            s.setArray(2, a);
            s.setArray(3, b);
            s.setArray(4, d);
            s.setArray(5, e);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    inserted.add(r.getInt(1));
                }
            }
        }
        return inserted;
    }

    /** A new batch's tasks, {@value #TASKS_PER_STATEMENT} to a statement. */
    static void tasks(Connection c, String batchId, List<TaskSpec> tasks) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO fanout_tasks (batch_id, idx, task_id, function, "
                + "input) SELECT ?, * FROM unnest(?::int[], ?::text[], ?::text[], ?::text[])")) {
            for (int from = 0; from < tasks.size(); from += TASKS_PER_STATEMENT) {
                int n = Math.min(TASKS_PER_STATEMENT, tasks.size() - from);
                Integer[] indexes = new Integer[n];
                String[] ids = new String[n];
                String[] functions = new String[n];
                String[] inputs = new String[n];
                for (int i = 0; i < n; i++) {
                    TaskSpec t = tasks.get(from + i);
                    indexes[i] = from + i;
                    ids[i] = t.id();
                    functions[i] = t.function();
                    inputs[i] = t.input().toString();
                }
                s.setString(1, batchId);
                s.setArray(2, c.createArrayOf("int4", indexes));
                s.setArray(3, c.createArrayOf("text", ids));
                s.setArray(4, c.createArrayOf("text", functions));
                s.setArray(5, c.createArrayOf("text", inputs));
                s.executeUpdate();
            }
        }
    }
}
