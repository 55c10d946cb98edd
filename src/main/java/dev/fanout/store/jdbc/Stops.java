package dev.fanout.store.jdbc;

import dev.fanout.store.Store.StopRequest;
import dev.fanout.store.StoredBatch;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Cancels asked for running batches. Any instance may be asked, but only the one running the batch can stop it: the
 * request is recorded on the batch's row (and announced in the same transaction where instances share the store), and
 * the owner also reads its requests back, in case an announcement was missed.
 */
final class Stops {
    private final Transactions tx;
    private final Dialect dialect;

    Stops(Transactions tx, Dialect dialect) {
        this.tx = tx;
        this.dialect = dialect;
    }

    /** See {@code Store.requestStop}. */
    boolean requestStop(String batchId, String reason, boolean byClient) {
        return tx.write("record the cancel", c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE fanout_batches SET stop_reason = ?, "
                    + "stopped_by_client = ? WHERE id = ? AND state = 'RUNNING' AND stop_reason IS NULL")) {
                s.setString(1, reason);
                s.setBoolean(2, byClient);
                s.setString(3, batchId);
                if (s.executeUpdate() == 0) {
                    return Reads.find(c, batchId).map(StoredBatch::isRunning).orElse(false);
                }
            }
            dialect.notifyStop(c, batchId);
            return true;
        });
    }

    /** See {@code Store.stopRequests}. */
    List<StopRequest> stopRequests(String owner) {
        return tx.read("read stop requests", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT id, stop_reason, stopped_by_client "
                    + "FROM fanout_batches WHERE owner = ? AND state = 'RUNNING' AND stop_reason IS NOT NULL")) {
                s.setString(1, owner);
                List<StopRequest> requests = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        requests.add(new StopRequest(r.getString(1), r.getString(2), r.getBoolean(3)));
                    }
                }
                return requests;
            }
        });
    }
}
