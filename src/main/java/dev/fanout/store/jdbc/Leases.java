package dev.fanout.store.jdbc;

import java.sql.PreparedStatement;
import dev.fanout.store.Store;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who runs a batch: the lease of its owner, claimed when nobody holds it (the dialect's claim, which makes its epoch
 * one higher), renewed while it runs at the epoch of that claim, given up at a clean shutdown. Renewals take batch rows in id order because group commits ({@link GroupWrites}) lock
 * them in that order: in different orders the two deadlocked, and PostgreSQL broke each deadlock by aborting one of
 * them (a renewal lost is a lease lost).
 */
final class Leases {
    private final Transactions tx;
    private final Dialect dialect;

    Leases(Transactions tx, Dialect dialect) {
        this.tx = tx;
        this.dialect = dialect;
    }

    /** See {@code Store.claim}. */
    List<Store.Claim> claim(String owner, long now, long leaseUntil, boolean force, int max) {
        return tx.write("claim running batches", c -> dialect.claim(c, owner, now, leaseUntil, force, max));
    }

    /** See {@code Store.renew}. */
    Set<String> renew(String owner, long leaseUntil, Map<String, Long> epochs) {
        return tx.write("renew leases", c -> {
            Set<String> held = new HashSet<>();
            try (PreparedStatement s = c.prepareStatement("UPDATE fanout_batches SET lease_until = ? "
                    + "WHERE id = ? AND owner = ? AND epoch = ? AND state = 'RUNNING'")) {
                List<String> list = epochs.keySet().stream().sorted().toList(); // in id order, as group commits lock
                for (String id : list) {
                    s.setLong(1, leaseUntil);
                    s.setString(2, id);
                    s.setString(3, owner);
                    s.setLong(4, epochs.get(id));
                    s.addBatch();
                }
                int[] counts = s.executeBatch();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] > 0) {
                        held.add(list.get(i));
                    }
                }
            }
            return held;
        });
    }

    /** See {@code Store.release}. */
    void release(String owner) {
        tx.write("release leases", c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE fanout_batches SET lease_until = 0 "
                    + "WHERE owner = ? AND state = 'RUNNING'")) {
                s.setString(1, owner);
                return s.executeUpdate();
            }
        });
    }
}
