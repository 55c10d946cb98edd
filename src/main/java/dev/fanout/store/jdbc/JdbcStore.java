package dev.fanout.store.jdbc;

import dev.fanout.store.Change;
import dev.fanout.store.NewBatch;
import dev.fanout.store.Quota;
import dev.fanout.store.Scope;
import dev.fanout.store.Store;
import dev.fanout.store.StoredBatch;
import dev.fanout.store.StoredResult;

import javax.sql.DataSource;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The SQL store both SQLite and PostgreSQL run (the schemas in {@code db/migration/<kind>} are the same but for
 * types): plain JDBC, prepared statements in batches, one transaction per call ({@link Transactions}). It only
 * delegates, each concern to the class that holds its statements and the order they run and lock in:
 * <pre>
 *  create                              Admission    idempotency key, tenant lock, quota, then the rows
 *  apply                               GroupWrites  the group commit: batch rows locked in id order, then appends
 *  find, list, count, results, load    Reads
 *  claim, renew, release               Leases       renewals in the id order group commits lock in
 *  requestStop, stopRequests           Stops
 *  redrive                             Redrives     the quota again, retries counted afresh
 *  expire                              Expiry
 * </pre>
 * What differs between the databases is its {@link Dialect}; a subclass adds only what it opens and closes beside the
 * database (SQLite's file lock, PostgreSQL's listener).
 */
public abstract class JdbcStore implements Store {
    private final Dialect dialect;
    private final Transactions tx;
    private final Admission admission;
    private final GroupWrites groupWrites;
    private final Leases leases;
    private final Stops stops;
    private final Redrives redrives;
    private final Expiry expiry;

    protected JdbcStore(DataSource dataSource, Dialect dialect) {
        this.dialect = dialect;
        this.tx = new Transactions(dataSource, dialect);
        this.admission = new Admission(tx, dialect);
        this.groupWrites = new GroupWrites(tx, dialect);
        this.leases = new Leases(tx, dialect);
        this.stops = new Stops(tx, dialect);
        this.redrives = new Redrives(tx, dialect);
        this.expiry = new Expiry(tx);
    }

    @Override
    public String kind() {
        return dialect.kind();
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public boolean shared() {
        return dialect.shared();
    }

    @Override
    public String create(NewBatch batch) {
        return admission.create(batch);
    }

    @Override
    public Set<String> apply(Map<String, Long> epochs, List<Change> changes) {
        return groupWrites.apply(epochs, changes);
    }

    @Override
    public Optional<StoredBatch> find(String id) {
        return tx.read("read a batch", c -> Reads.find(c, id));
    }

    @Override
    public List<StoredBatch> list(Scope scope, String state, int offset, int limit) {
        return tx.read("list batches", c -> Reads.list(c, scope, state, offset, limit));
    }

    @Override
    public int count(Scope scope, String state) {
        return tx.read("count batches", c -> Reads.count(c, scope, state));
    }

    @Override
    public List<StoredResult> results(String batchId, boolean inputOrder, int after, int limit) {
        return tx.read("read results", c -> Reads.results(c, batchId, inputOrder, after, limit));
    }

    @Override
    public Optional<Resumable> load(String id) {
        return tx.read("load a batch", c -> Reads.load(c, id));
    }

    @Override
    public boolean requestStop(String batchId, String reason, boolean byClient) {
        return stops.requestStop(batchId, reason, byClient);
    }

    @Override
    public List<Claim> claim(String owner, long now, long leaseUntil, boolean force, int max) {
        return leases.claim(owner, now, leaseUntil, force, max);
    }

    @Override
    public Set<String> renew(String owner, long leaseUntil, Map<String, Long> epochs) {
        return leases.renew(owner, leaseUntil, epochs);
    }

    @Override
    public void release(String owner) {
        leases.release(owner);
    }

    @Override
    public List<StopRequest> stopRequests(String owner) {
        return stops.stopRequests(owner);
    }

    @Override
    public OptionalLong redrive(String id, String options, String owner, long leaseUntil, int concurrency,
                                Quota quota) {
        return redrives.redrive(id, options, owner, leaseUntil, concurrency, quota);
    }

    @Override
    public int expire(long finishedBefore, int keep) {
        return expiry.expire(finishedBefore, keep);
    }
}
