package dev.fanout.store.memory;

import dev.fanout.core.ResultSizes;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.store.Change;
import dev.fanout.store.IdempotencyConflictException;
import dev.fanout.store.NewBatch;
import dev.fanout.store.Store;
import dev.fanout.store.StoredBatch;
import dev.fanout.store.StoredResult;
import dev.fanout.store.StoredTask;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
            MemoryBatch earlier = byKey.get(batch.idempotencyKey());
            if (earlier != null) {
                if (!earlier.requestHash.equals(batch.requestHash())) {
                    throw new IdempotencyConflictException(earlier.id);
                }
                return earlier.id;
            }
        }
        MemoryBatch b = new MemoryBatch(batch, new long[]{batch.createdAt(), ++arrivals});
        batches.put(b.id, b);
        newestFirst.put(b.order, b);
        if (batch.idempotencyKey() != null) {
            byKey.put(batch.idempotencyKey(), b);
        }
        return b.id;
    }

    @Override
    public List<Change.Finished> apply(List<Change> changes) {
        List<Change.Finished> refused = new ArrayList<>();
        for (Change change : changes) {
            MemoryBatch b = batches.get(change.batchId());
            if (b == null) {
                continue; // forgotten meanwhile (expired)
            }
            synchronized (b) {
                switch (change) {
                    case Change.Started s -> b.attempts[s.index()] = Math.max(b.attempts[s.index()], s.attempt());
                    case Change.Finished f -> {
                        if (!b.record(f)) {
                            refused.add(f);
                        }
                    }
                    case Change.Progress p -> b.running = p.running();
                    case Change.Ended e -> b.end(e);
                }
            }
        }
        return refused;
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
    public List<StoredBatch> list(int offset, int limit) {
        List<StoredBatch> page = new ArrayList<>();
        for (MemoryBatch b : newestFirst.values().stream().skip(offset).limit(limit).toList()) {
            synchronized (b) {
                page.add(b.row());
            }
        }
        return page;
    }

    @Override
    public int count() {
        return batches.size();
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
    public List<String> claim(String owner, long now, long leaseUntil, boolean force, int max) {
        return List.of(); // nothing outlives the process: there is never anything to take over
    }

    @Override
    public Set<String> renew(String owner, long leaseUntil, Collection<String> ids) {
        return new HashSet<>(ids);
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
    public boolean redrive(String id, String options, String owner, long leaseUntil) {
        MemoryBatch b = batches.get(id);
        if (b == null) {
            return false;
        }
        synchronized (b) {
            return b.redrive(options);
        }
    }

    @Override
    public synchronized int expire(long finishedBefore, int keep) {
        int kept = 0;
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
                if (b.finishedAt < finishedBefore || ++kept > keep || tasks > maxRetainedTasks
                        || bytes > maxRetainedBytes) {
                    doomed.add(b);
                }
            }
        }
        for (MemoryBatch b : doomed) {
            batches.remove(b.id);
            newestFirst.remove(b.order);
            if (b.idempotencyKey != null) {
                byKey.remove(b.idempotencyKey, b);
            }
        }
        return doomed.size();
    }

    @Override
    public void close() {
        batches.clear();
        newestFirst.clear();
        byKey.clear();
    }

    /** One batch's row and results; guarded by its own monitor. */
    private static final class MemoryBatch {
        final String id;
        final long[] order;
        final int total;
        final long createdAt;
        final String idempotencyKey;
        final String requestHash;
        final TaskSpec[] tasks; // a task's input is dropped once it succeeded: only failures are run again
        final int[] attempts;
        final TaskResult[] results;
        final int[] seqOf;
        int[] bySeq; // seq - 1 -> index; -1 where none (a result taken back by a redrive)
        String options;
        String state = "RUNNING";
        int running;
        int succeeded;
        int failed;
        int cancelled;
        Long finishedAt;
        String stopReason;
        boolean stoppedByClient;
        int maxSeq;
        long resultBytes;

        MemoryBatch(NewBatch batch, long[] order) {
            this.id = batch.id();
            this.order = order;
            this.total = batch.tasks().size();
            this.createdAt = batch.createdAt();
            this.idempotencyKey = batch.idempotencyKey();
            this.requestHash = batch.requestHash();
            this.options = batch.options();
            this.tasks = batch.tasks().toArray(TaskSpec[]::new);
            this.attempts = new int[total];
            this.results = new TaskResult[total];
            this.seqOf = new int[total];
            this.bySeq = new int[Math.max(16, total)];
            java.util.Arrays.fill(bySeq, -1);
        }

        boolean record(Change.Finished f) {
            if (results[f.index()] != null) {
                return false;
            }
            results[f.index()] = f.result();
            seqOf[f.index()] = f.seq();
            attempts[f.index()] = Math.max(attempts[f.index()], f.result().attempts());
            while (bySeq.length < f.seq()) {
                int[] grown = java.util.Arrays.copyOf(bySeq, bySeq.length * 2);
                java.util.Arrays.fill(grown, bySeq.length, grown.length, -1);
                bySeq = grown;
            }
            bySeq[f.seq() - 1] = f.index();
            maxSeq = Math.max(maxSeq, f.seq());
            resultBytes += ResultSizes.estimate(f.result());
            switch (f.result().state()) {
                case SUCCEEDED -> {
                    succeeded++;
                    TaskSpec t = tasks[f.index()];
                    tasks[f.index()] = new TaskSpec(t.id(), t.function(), null);
                }
                case FAILED -> failed++;
                case CANCELLED -> cancelled++;
            }
            return true;
        }

        void end(Change.Ended e) {
            if (state.equals("RUNNING")) {
                state = e.state();
                finishedAt = e.finishedAt();
                running = 0;
            }
        }

        boolean redrive(String newOptions) {
            if (state.equals("RUNNING")) {
                return false;
            }
            for (int i = 0; i < total; i++) {
                TaskResult r = results[i];
                if (r != null && r.state() != dev.fanout.core.TaskState.SUCCEEDED) {
                    bySeq[seqOf[i] - 1] = -1;
                    results[i] = null;
                    seqOf[i] = 0;
                    resultBytes -= ResultSizes.estimate(r);
                }
            }
            options = newOptions;
            state = "RUNNING";
            finishedAt = null;
            stopReason = null;
            stoppedByClient = false;
            failed = 0;
            cancelled = 0;
            return true;
        }

        StoredBatch row() {
            return new StoredBatch(id, state, options, total, running, succeeded, failed, cancelled, createdAt,
                    finishedAt, stopReason, stoppedByClient, null, null, maxSeq);
        }

        List<StoredTask> tasks() {
            List<StoredTask> list = new ArrayList<>(total);
            for (int i = 0; i < total; i++) {
                list.add(new StoredTask(i, tasks[i], attempts[i], seqOf[i], results[i]));
            }
            return list;
        }

        List<StoredResult> inCompletionOrder(int after, int limit) {
            List<StoredResult> page = new ArrayList<>();
            for (int seq = after + 1; seq <= maxSeq && page.size() < limit; seq++) {
                int index = bySeq[seq - 1];
                if (index >= 0) {
                    page.add(new StoredResult(seq, index, results[index]));
                }
            }
            return page;
        }

        List<StoredResult> inInputOrder(int after, int limit) {
            List<StoredResult> page = new ArrayList<>();
            for (int i = after; i < total && page.size() < limit && results[i] != null; i++) {
                page.add(new StoredResult(seqOf[i], i, results[i]));
            }
            return page;
        }
    }
}
