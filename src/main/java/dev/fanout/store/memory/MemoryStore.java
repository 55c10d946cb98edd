package dev.fanout.store.memory;

import dev.fanout.store.Change;
import dev.fanout.store.IdempotencyConflictException;
import dev.fanout.store.NewBatch;
import dev.fanout.store.Quota;
import dev.fanout.store.Scope;
import dev.fanout.store.Store;
import dev.fanout.store.StoredBatch;
import dev.fanout.store.StoredResult;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Batches in this process's heap only ({@code fanout.store.kind=memory}): nothing survives a restart, and no other
 * instance sees them. What it keeps is bounded like a cache: finished batches go after the retention, beyond a count,
 * a number of tasks or an estimate of their results' bytes, the oldest first.
 */
public final class MemoryStore implements Store {
    private final Map<String, MemoryBatch> batches = new ConcurrentHashMap<>();
    /** Newest first: (createdAt, arrival) descending. */
    private final ConcurrentSkipListMap<long[], MemoryBatch> newestFirst = new ConcurrentSkipListMap<>(
            Comparator.<long[]>comparingLong(k -> -k[0]).thenComparingLong(k -> -k[1]));
    private final Map<String, MemoryBatch> byKey = new ConcurrentHashMap<>();
    /** Per tenant, the tasks admitted in the last minute, oldest first (max-tasks-per-minute); guarded by this. */
    private final Map<String, ArrayDeque<Quota.Admission>> admissions = new HashMap<>();
    private final long maxRetainedTasks;
    private final long maxRetainedBytes;
    private long arrivals; // guarded by this

    /** @param maxRetainedTasks tasks of finished batches kept at most; {@code maxRetainedBytes} their results' bytes */
    public MemoryStore(long maxRetainedTasks, long maxRetainedBytes) {
        this.maxRetainedTasks = maxRetainedTasks;
        this.maxRetainedBytes = maxRetainedBytes;
    }

    @Override
    public String kind() {
        return "memory";
    }

    @Override
    public boolean durable() {
        return false;
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public synchronized String create(NewBatch batch) {
        if (batch.idempotencyKey() != null) {
            MemoryBatch earlier = byKey.get(scopedKey(batch.tenant(), batch.idempotencyKey()));
            if (earlier != null) {
                if (!earlier.requestHash.equals(batch.requestHash())) {
                    throw new IdempotencyConflictException(earlier.id);
                }
                return earlier.id;
            }
        }
        admit(batch.tenant(), batch.quota(), batch.createdAt(), batch.tasks().size(), batch.concurrency());
        MemoryBatch b = new MemoryBatch(batch, new long[]{batch.createdAt(), ++arrivals});
        batches.put(b.id, b);
        newestFirst.put(b.order, b);
        if (batch.idempotencyKey() != null) {
            byKey.put(scopedKey(batch.tenant(), batch.idempotencyKey()), b);
        }
        return b.id;
    }

    /** An Idempotency-Key is its tenant's: two names may use the same one. */
    private static String scopedKey(String tenant, String key) {
        return tenant + '\n' + key;
    }

    /** Checks {@code tenant}'s quota and records the tasks admitted; called holding this store's monitor. */
    private void admit(String tenant, Quota quota, long now, int tasks, int concurrency) {
        if (!quota.limited()) {
            return;
        }
        int running = 0;
        long reserved = 0;
        for (MemoryBatch b : batches.values()) {
            synchronized (b) {
                if (tenant.equals(b.tenant) && b.state.equals("RUNNING")) {
                    running++;
                    reserved += b.concurrency;
                }
            }
        }
        ArrayDeque<Quota.Admission> window = admissions.computeIfAbsent(tenant, t -> new ArrayDeque<>());
        while (!window.isEmpty() && window.peekFirst().at() <= now - Quota.WINDOW_MILLIS) {
            window.pollFirst();
        }
        quota.check(tenant, running, reserved, List.copyOf(window), now, tasks, concurrency);
        if (quota.maxTasksPerMinute() > 0) {
            window.addLast(new Quota.Admission(now, tasks));
        }
    }

    @Override
    public Set<String> apply(Map<String, Long> epochs, List<Change> changes) {
        Set<String> stale = new HashSet<>();
        Set<String> held = new HashSet<>(); // decided before the group, as a database's transaction sees it
        for (Change change : changes) {
            MemoryBatch b = batches.get(change.batchId());
            if (b == null) {
                continue; // forgotten meanwhile (expired)
            }
            synchronized (b) {
                if (!held.contains(b.id) && !stale.contains(b.id)) {
                    Long epoch = epochs.get(b.id);
                    (epoch != null && epoch == b.epoch && b.state.equals("RUNNING") ? held : stale).add(b.id);
                }
                if (!held.contains(b.id)) {
                    continue; // claimed since, or ended: nothing more of that run
                }
                switch (change) {
                    case Change.Started s -> b.attempts[s.index()] = Math.max(b.attempts[s.index()], s.attempt());
                    case Change.Finished f -> {
                        if (!b.record(f)) {
                            stale.add(f.batchId());
                        }
                    }
                    case Change.Progress p -> b.running = p.running();
                    case Change.Ended e -> b.end(e);
                    case Change.Stopped s -> {
                        if (b.stopReason == null && b.finishedAt == null) {
                            b.stopReason = s.reason();
                            b.stoppedByClient = s.byClient();
                        }
                    }
                }
            }
        }
        return stale;
    }

    @Override
    public Optional<StoredBatch> find(String id) {
        MemoryBatch b = batches.get(id);
        if (b == null) {
            return Optional.empty();
        }
        synchronized (b) {
            return Optional.of(b.row());
        }
    }

    @Override
    public List<StoredBatch> list(Scope scope, String state, int offset, int limit) {
        return newestFirst.values().stream().filter(b -> scope.covers(b.tenant)).map(MemoryStore::row)
                .filter(r -> state == null || r.state().equals(state)).skip(offset).limit(limit).toList();
    }

    @Override
    public int count(Scope scope, String state) {
        return state == null && scope.all() ? batches.size()
                : (int) batches.values().stream().filter(b -> scope.covers(b.tenant))
                .filter(b -> state == null || row(b).state().equals(state)).count();
    }

    private static StoredBatch row(MemoryBatch b) {
        synchronized (b) {
            return b.row();
        }
    }

    @Override
    public List<StoredResult> results(String batchId, boolean inputOrder, int after, int limit) {
        MemoryBatch b = batches.get(batchId);
        if (b == null) {
            return List.of();
        }
        synchronized (b) {
            return inputOrder ? b.inInputOrder(after, limit) : b.inCompletionOrder(after, limit);
        }
    }

    @Override
    public boolean requestStop(String batchId, String reason, boolean byClient) {
        MemoryBatch b = batches.get(batchId);
        if (b == null) {
            return false;
        }
        synchronized (b) {
            if (!b.state.equals("RUNNING")) {
                return false;
            }
            if (b.stopReason == null) {
                b.stopReason = reason;
                b.stoppedByClient = byClient;
            }
            return true;
        }
    }

    @Override
    public List<Claim> claim(String owner, long now, long leaseUntil, boolean force, int max) {
        return List.of(); // nothing outlives the process: there is never anything to take over
    }

    @Override
    public Set<String> renew(String owner, long leaseUntil, Map<String, Long> epochs) {
        return new HashSet<>(epochs.keySet());
    }

    @Override
    public void release(String owner) {
    }

    @Override
    public List<StopRequest> stopRequests(String owner) {
        return List.of();
    }

    @Override
    public Optional<Resumable> load(String id) {
        MemoryBatch b = batches.get(id);
        if (b == null) {
            return Optional.empty();
        }
        synchronized (b) {
            return Optional.of(new Resumable(b.row(), b.tasks()));
        }
    }

    @Override
    public synchronized OptionalLong redrive(String id, String options, String owner, long leaseUntil,
                                             int concurrency, Quota quota) {
        MemoryBatch b = batches.get(id);
        if (b == null) {
            return OptionalLong.empty();
        }
        synchronized (b) {
            if (b.state.equals("RUNNING")) {
                return OptionalLong.empty();
            }
            if (b.tenant != null) {
                admit(b.tenant, quota, System.currentTimeMillis(), b.failed + b.cancelled, concurrency);
            }
            return b.redrive(options, concurrency) ? OptionalLong.of(b.epoch) : OptionalLong.empty();
        }
    }

    @Override
    public synchronized int expire(long finishedBefore, int keep) {
        Map<String, Integer> kept = new HashMap<>(); // by name: one key's traffic never evicts another's batches
        long tasks = 0;
        long bytes = 0;
        List<MemoryBatch> doomed = new ArrayList<>();
        for (MemoryBatch b : newestFirst.values()) {
            synchronized (b) {
                if (b.finishedAt == null) {
                    continue; // running batches always stay
                }
                tasks += b.total;
                bytes += b.resultBytes;
                // the task and byte bounds are the heap's, for all names together
                if (b.finishedAt < finishedBefore || kept.merge(String.valueOf(b.tenant), 1, Integer::sum) > keep
                        || tasks > maxRetainedTasks || bytes > maxRetainedBytes) {
                    doomed.add(b);
                }
            }
        }
        for (MemoryBatch b : doomed) {
            batches.remove(b.id);
            newestFirst.remove(b.order);
            if (b.idempotencyKey != null) {
                byKey.remove(scopedKey(b.tenant, b.idempotencyKey), b);
            }
        }
        return doomed.size();
    }

    @Override
    public void close() {
        batches.clear();
        newestFirst.clear();
        byKey.clear();
        admissions.clear();
    }
}
