package dev.fanout.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Forgetting what is no longer needed ({@code Store.expire}): finished batches past their retention (or beyond their
 * key name's newest {@code keep}) with their tasks,
 * results and starts, and quota admissions that left every window. It deletes a batch's row first, and only if the
 * batch is still finished, because a redrive may have made it run again since it was chosen.
 */
final class Expiry {
    private final Transactions tx;

    Expiry(Transactions tx) {
        this.tx = tx;
    }

    /** See {@code Store.expire}. */
    int expire(long finishedBefore, int keep) {
        return tx.write("expire batches", c -> {
            Quotas.expire(c, System.currentTimeMillis());
            List<String> doomed = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT id, finished_at, tenant FROM fanout_batches "
                    + "WHERE state <> 'RUNNING' ORDER BY finished_at DESC, id DESC")) {
                try (ResultSet r = s.executeQuery()) {
                    Map<String, Integer> kept = new HashMap<>(); // by name: one's traffic never evicts another's
                    while (r.next()) {
                        if (r.getLong(2) < finishedBefore
                                || kept.merge(String.valueOf(r.getString(3)), 1, Integer::sum) > keep) {
                            doomed.add(r.getString(1));
                        }
                    }
                }
            }
            // the batch rows first, each only if it is still finished (a redrive may have come in between)
            List<String> gone = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("DELETE FROM fanout_batches WHERE id = ? "
                    + "AND state <> 'RUNNING'")) {
                for (String id : doomed) {
                    s.setString(1, id);
                    s.addBatch();
                }
                int[] counts = s.executeBatch();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] != 0) {
                        gone.add(doomed.get(i));
                    }
                }
            }
            for (String table : List.of("fanout_results", "fanout_starts", "fanout_tasks")) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE batch_id = ?")) {
                    for (String id : gone) {
                        s.setString(1, id);
                        s.addBatch();
                    }
                    s.executeBatch();
                }
            }
            return gone.size();
        });
    }
}
