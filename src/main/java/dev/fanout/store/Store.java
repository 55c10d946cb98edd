package dev.fanout.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Where batches live beyond one process: their tasks, their results, who runs them. The engine writes through it so
 * that nothing acknowledged is lost to a restart, a deploy or a crash, and so that several instances can share the
 * work ({@link #shared()}). Implementations: {@code store.memory} (nothing kept: today's behaviour), {@code
 * store.sqlite} (an embedded file, one instance), {@code store.postgres} (one database, several instances).
 *
 * <p>Every method either does all it says, durably, or throws {@link StoreException} having done nothing.
 *
 * <pre>
 *  accept:  create(batch + every task)                      one transaction, before the client's 202
 *  run:     apply([Started, Finished, Progress, Ended...])  group commit; a result is visible once applied
 *  resume:  claim -> load -> run what has no result          at start, and when another owner's lease ran out
 *  own:     renew every lease/3; a batch not renewed is given up (another instance took it over)
 * </pre>
 *
 * <p>Fencing: a batch's epoch grows with every claim of it (and every redrive), as a shard's range id does in
 * Temporal. A run holds the epoch of the claim that started it, and every write of it is conditional on that epoch
 * and on the batch still running: a writer that was paused, cut off, or that lost its lease and claimed the batch
 * again, writes nothing more of its earlier run, and a finished batch takes no write of any kind.
 */
public interface Store extends AutoCloseable {

    /** The epoch of a batch as {@link #create} stores it: its first run's. */
    long FIRST_EPOCH = 1;

    /** A claim of a batch: the run it starts writes with {@code epoch}. */
    record Claim(String batchId, long epoch) {
    }

    /** {@code memory}, {@code sqlite} or {@code postgres}. */
    String kind();

    /**
     * False for the memory store: nothing is kept, the engine keeps finished batches in its heap and answers for them.
     */
    boolean durable();

    /** True when several instances may share the store: leases, takeovers and notifications then matter. */
    boolean shared();

    /**
     * Stores a new batch with all its tasks in one transaction. When its tenant used its idempotency key before,
     * nothing is stored: the answer is that batch's id if the request is the same, else
     * {@link IdempotencyConflictException}. Otherwise the tenant's quota is checked in the same transaction (so that it
     * holds across instances): {@link QuotaExceededException} when the batch would pass it, nothing stored.
     *
     * @return the id of the batch the client gets: {@code batch.id()}, or an earlier one with the same key
     */
    String create(NewBatch batch);

    /**
     * Applies a group of changes in one transaction, each of a batch's changes only while the batch runs at the
     * epoch its writer holds ({@code epochs}: by batch id, one run of each batch per group). Nothing is written of a
     * batch claimed since (by another instance or this one), finished, or gone, and a result only when its task has
     * none yet (exactly one result per task).
     *
     * @return the batches whose changes were not all written: not held at that epoch any more, or a task of theirs had
     *         a result already. The writer's view of them is stale: it must publish nothing of them and give them up.
     */
    Set<String> apply(Map<String, Long> epochs, List<Change> changes);

    Optional<StoredBatch> find(String id);

    /** Newest first. */
    default List<StoredBatch> list(int offset, int limit) {
        return list(Scope.ALL, null, offset, limit);
    }

    /** Newest first, only those in {@code state} (RUNNING, SUCCEEDED, FAILED, CANCELLED; null: all). */
    default List<StoredBatch> list(String state, int offset, int limit) {
        return list(Scope.ALL, state, offset, limit);
    }

    /** Newest first, those {@code scope} covers in {@code state} (null: all). */
    List<StoredBatch> list(Scope scope, String state, int offset, int limit);

    default int count() {
        return count(Scope.ALL, null);
    }

    /** Batches in {@code state} (null: all). */
    default int count(String state) {
        return count(Scope.ALL, state);
    }

    /** Batches {@code scope} covers in {@code state} (null: all). */
    int count(Scope scope, String state);

    /**
     * At most {@code limit} results of a batch after the first {@code after}: in completion order (by seq, after seq
     * {@code after}) or in input order (from index {@code after}, stopping at the first task without a result).
     */
    List<StoredResult> results(String batchId, boolean inputOrder, int after, int limit);

    /** Asks a running batch to stop: the rest of it ends CANCELLED with {@code reason}. False when not running. */
    boolean requestStop(String batchId, String reason, boolean byClient);

    /**
     * Takes over up to {@code max} running batches that nobody holds ({@code force}: every running batch, for a store
     * only this instance can open), making {@code owner} their owner until {@code leaseUntil}, each at an epoch one higher
     * than before.
     */
    List<Claim> claim(String owner, long now, long leaseUntil, boolean force, int max);

    /** Gives up {@code owner}'s leases at once (a clean shutdown): other instances take its batches over now. */
    void release(String owner);

    /** Stop requests for running batches of {@code owner} (in case a notification was missed). */
    List<StopRequest> stopRequests(String owner);

    /** A cancel asked for a running batch. */
    record StopRequest(String batchId, String reason, boolean byClient) {
    }

    /**
     * Extends {@code owner}'s leases of the batches it runs at these {@code epochs} (by batch id); answers the ids it
     * still holds (a batch missing was claimed since, or ended).
     */
    Set<String> renew(String owner, long leaseUntil, Map<String, Long> epochs);

    /** A batch and every task, to resume it. */
    Optional<Resumable> load(String id);

    /** A batch being resumed. */
    record Resumable(StoredBatch batch, List<StoredTask> tasks) {
    }

    /**
     * Makes a finished batch run again: its FAILED and CANCELLED tasks lose their results and will run again, its
     * successes stay; it is RUNNING with {@code options}, owned by {@code owner}, reserving {@code concurrency} of its
     * tenant's max-concurrency. Its tenant's {@code quota} is checked first, counting the tasks that will run again
     * ({@link QuotaExceededException}, nothing changed).
     *
     * @return the epoch of the run it starts; empty when the batch is not finished (or gone)
     */
    OptionalLong redrive(String id, String options, String owner, long leaseUntil, int concurrency, Quota quota);

    /** A redrive without quota. */
    default OptionalLong redrive(String id, String options, String owner, long leaseUntil) {
        return redrive(id, options, owner, leaseUntil, 0, Quota.NONE);
    }

    /**
     * Deletes finished batches that finished before {@code finishedBefore} and those beyond their key name's newest
     * {@code keep} (each name counts its own; batches without a name count together), with their Idempotency-Keys.
     */
    int expire(long finishedBefore, int keep);

    /** Listens to what other instances write; a store without other instances never calls it. */
    default void listen(StoreEvents events) {
    }

    @Override
    void close();
}
