package dev.fanout.execution.batch;

import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.core.TaskState;
import dev.fanout.store.StoredTask;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One running batch's tasks and results, in this instance's memory. Its central promise: each task gets exactly one
 * result ({@link #finish} succeeds once per task, whoever calls it). Results are kept in input order and in a
 * completion log; a result becomes visible to readers only once the store has it ({@link #published}), which is what
 * the result streams, {@code ?wait} and the status read.
 *
 * <pre>
 *  finish(index) -> status CAS -> completion log [pos] with seq -> journal (under the log's lock: in order)
 *  journal commit -> published(upTo): visible counts and results move on -> readers woken
 *  last result committed with the end -> ended(): finishedAt, done completes
 * </pre>
 */
public final class Batch implements BatchView {
    // task status; the order matters: everything from SUCCEEDED on is final
    static final int PENDING = 0;   // not handed to a backend yet
    public static final int WAITING = 1;   // handed over (queued in a backend, or waiting to be retried)
    public static final int RUNNING = 2;
    static final int SUCCEEDED = 3;
    static final int FAILED = 4;
    static final int CANCELLED = 5;

    /** Where a finished task's result goes next: the journal, called in completion order. */
    public interface Sink {
        void finished(Batch batch, int index, int position, int seq, TaskResult result, boolean last);
    }

    private final String id;
    private final String tenant;
    private final Instant createdAt;
    private final BatchOptions options;
    private final AtomicReferenceArray<TaskSpec> tasks; // a task's input is dropped once it has its result
    private final AtomicIntegerArray status;
    private final AtomicReferenceArray<TaskResult> results;
    private final int[] priorAttempts; // attempts started in earlier runs of this batch (resumed, redriven)
    private final int[] retriedAfter; // attempts before its latest redrive: retries count from there
    private final CompletionLog log;
    private final BatchStats stats;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger failedSoFar = new AtomicInteger();
    private final AtomicInteger cancelledSoFar = new AtomicInteger();
    // visible (published) counts
    private volatile int succeeded;
    private volatile int failed;
    private volatile int cancelled;
    private volatile boolean stopping;
    private volatile boolean cancelledByClient;
    private volatile Instant finishedAt;
    private volatile boolean handedOver;
    private final CompletableFuture<BatchStatus> done = new CompletableFuture<>();
    private final AtomicReference<CompletableFuture<Void>> change = new AtomicReference<>();

    public Batch(String id, String tenant, Instant createdAt, List<TaskSpec> tasks, BatchOptions options) {
        this.id = id;
        this.tenant = tenant;
        this.createdAt = createdAt;
        this.options = options;
        this.tasks = new AtomicReferenceArray<>(tasks.toArray(TaskSpec[]::new));
        this.status = new AtomicIntegerArray(tasks.size());
        this.results = new AtomicReferenceArray<>(tasks.size());
        this.priorAttempts = null;
        this.retriedAfter = null;
        this.log = new CompletionLog(tasks.size());
        this.stats = new BatchStats(createdAt.toEpochMilli());
    }

    /**
     * A batch taken up again from the store (after a restart, a takeover, a redrive): the tasks that have a result keep
     * it, in its place of the completion log, and will not run again; the others will, their attempts counting on.
     */
    public Batch(String id, String tenant, Instant createdAt, List<StoredTask> stored, BatchOptions options, int lastSeq) {
        int n = stored.size();
        this.id = id;
        this.tenant = tenant;
        this.createdAt = createdAt;
        this.options = options;
        this.tasks = new AtomicReferenceArray<>(n);
        this.status = new AtomicIntegerArray(n);
        this.results = new AtomicReferenceArray<>(n);
        this.priorAttempts = new int[n];
        this.retriedAfter = new int[n];
        this.log = new CompletionLog(n);
        this.stats = new BatchStats(createdAt.toEpochMilli());
        List<StoredTask> done = new ArrayList<>();
        for (StoredTask t : stored) {
            priorAttempts[t.index()] = t.attempts();
            retriedAfter[t.index()] = t.retriedAfter();
            if (t.result() == null) {
                tasks.set(t.index(), t.spec());
            } else {
                done.add(t);
            }
        }
        done.sort(Comparator.comparingInt(StoredTask::seq));
        for (StoredTask t : done) {
            status.set(t.index(), stateOf(t.result()));
            results.set(t.index(), t.result());
            log.preload(t.index(), t.seq());
            TaskResult r = t.result();
            count(r, r.startedAt() == null ? -1 : r.startedAt().toEpochMilli() + r.durationMs());
            countSoFar(t.result());
        }
        log.continueAfter(lastSeq);
    }

    @Override
    public String id() {
        return id;
    }

    public BatchOptions options() {
        return options;
    }

    public Instant createdAt() {
        return createdAt;
    }

    @Override
    public int total() {
        return results.length();
    }

    @Override
    public int maxSeq() {
        return log.lastSeq();
    }

    /** The status as readers may see it: counts of published results only. */
    @Override
    public BatchStatus status() {
        int r = running.get();
        int s = succeeded;
        int f = failed;
        int c = cancelled;
        Instant end = finishedAt;
        return new BatchStatus(id, state(end != null), total(), Math.max(0, total() - r - s - f - c), r, s, f, c,
                createdAt, end, tenant);
    }

    @Override
    public String tenant() {
        return tenant;
    }

    /** The status with progress and statistics of the published results, kept as they were published. */
    @Override
    public BatchDetails details() {
        return stats.details(status(), System.currentTimeMillis());
    }

    public BatchStats stats() {
        return stats;
    }

    private BatchState state(boolean finished) {
        if (!finished) {
            return BatchState.RUNNING;
        }
        if (cancelledByClient) {
            return BatchState.CANCELLED;
        }
        return failed > 0 || cancelled > 0 ? BatchState.FAILED : BatchState.SUCCEEDED;
    }

    /** True once its end is stored: every result is visible. */
    @Override
    public boolean isFinished() {
        return finishedAt != null;
    }

    /** Completes with the final status when every result and the end are stored. */
    @Override
    public CompletableFuture<BatchStatus> done() {
        return done;
    }

    /** The visible result of the task at {@code index} in input order, or null while it has none. */
    public TaskResult result(int index) {
        return log.isPublished(index) ? results.get(index) : null;
    }

    /** How many results are visible; {@link #completedAt} reads them in completion order. */
    public int completedCount() {
        return log.published();
    }

    /** The {@code k}-th visible result in completion order, for {@code k < completedCount()}. */
    public TaskResult completedAt(int k) {
        return results.get(log.indexAt(k));
    }

    /** The place in the completion order (from 1) of the {@code k}-th result. */
    public int seqAt(int k) {
        return log.seqAt(k);
    }

    @Override
    public List<Numbered> page(boolean inputOrder, int after, int limit) {
        List<Numbered> page = new ArrayList<>();
        if (inputOrder) {
            for (int i = after; i < total() && page.size() < limit; i++) {
                TaskResult r = result(i);
                if (r == null) {
                    break;
                }
                page.add(new Numbered(i + 1, r));
            }
        } else {
            int visible = log.published();
            for (int k = log.positionAfterSeq(after); k < visible && page.size() < limit; k++) {
                page.add(new Numbered(seqAt(k), completedAt(k)));
            }
        }
        return page;
    }

    /** All results in input order; only meaningful once finished. */
    public List<TaskResult> resultsInInputOrder() {
        List<TaskResult> list = new ArrayList<>(total());
        for (int i = 0; i < total(); i++) {
            list.add(results.get(i));
        }
        return list;
    }

    /**
     * A future completed at the next published result (or at once when the batch is finished). Readers take it first,
     * then check for what they wait for, then wait on it: no result can slip between.
     */
    @Override
    public CompletableFuture<Void> nextChange() {
        if (isFinished() || handedOver) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> f = change.get();
        if (f == null) {
            CompletableFuture<Void> fresh = new CompletableFuture<>();
            f = change.compareAndExchange(null, fresh);
            f = f == null ? fresh : f;
        }
        if (isFinished() || handedOver) { // either may have come between the first check and the future's creation
            f.complete(null);
        }
        return f;
    }

    private void changed() {
        CompletableFuture<Void> f = change.get();
        if (f != null && (f = change.getAndSet(null)) != null) {
            f.complete(null);
        }
    }

    // ---- engine side ----

    public TaskSpec task(int index) {
        return tasks.get(index);
    }

    /** Attempts this task ran in earlier runs of the batch. */
    public int priorAttempts(int index) {
        return priorAttempts == null ? 0 : priorAttempts[index];
    }

    /** Attempts the task had when the batch was last redriven (0 if never): its retries count from there. */
    public int retriedAfter(int index) {
        return retriedAfter == null ? 0 : retriedAfter[index];
    }

    public boolean isStopping() {
        return stopping;
    }

    public int failedSoFar() {
        return failedSoFar.get();
    }

    /** True when every task has its result in memory (the end may not be stored yet). */
    public boolean allResultsIn() {
        return log.full();
    }

    /** Answers true for the first call only. */
    public boolean requestStop(boolean byClient) {
        synchronized (this) {
            if (stopping) {
                return false;
            }
            cancelledByClient = byClient && !allResultsIn();
            stopping = true;
            return true;
        }
    }

    public boolean markDispatched(int index) {
        return status.compareAndSet(index, PENDING, WAITING);
    }

    public boolean markRunning(int index) {
        if (status.compareAndSet(index, WAITING, RUNNING)) {
            running.incrementAndGet();
            return true;
        }
        return false;
    }

    public void markWaiting(int index) {
        if (status.compareAndSet(index, RUNNING, WAITING)) {
            running.decrementAndGet();
        }
    }

    public int runningCount() {
        return running.get();
    }

    /**
     * Gives the task its result unless it already has one, and hands it to {@code sink} in completion order. Answers
     * the status the task had before (PENDING, WAITING or RUNNING), or -1 when it already had a result and this one
     * was dropped.
     */
    public int finish(int index, TaskResult result, Sink sink) {
        int target = stateOf(result);
        int previous;
        do {
            previous = status.get(index);
            if (previous >= SUCCEEDED) {
                return -1;
            }
        } while (!status.compareAndSet(index, previous, target));
        if (previous == RUNNING) {
            running.decrementAndGet();
        }
        results.set(index, result);
        tasks.set(index, null);
        countSoFar(result);
        log.append(index, (position, seq, last) -> sink.finished(this, index, position, seq, result, last));
        return previous;
    }

    private void countSoFar(TaskResult r) {
        if (r.state() == TaskState.FAILED) {
            failedSoFar.incrementAndGet();
        } else if (r.state() == TaskState.CANCELLED) {
            cancelledSoFar.incrementAndGet();
        }
    }

    private static int stateOf(TaskResult result) {
        return switch (result.state()) {
            case SUCCEEDED -> SUCCEEDED;
            case FAILED -> FAILED;
            case CANCELLED -> CANCELLED;
        };
    }

    /** The store has every result up to completion position {@code upTo} (exclusive): readers may see them. */
    public void published(int upTo) {
        int from = log.published();
        if (upTo <= from) {
            return;
        }
        long now = System.currentTimeMillis();
        for (int k = from; k < upTo; k++) {
            count(completedAt(k), now); // counts first: a reader never sees more results than counted
        }
        log.publish(upTo);
        changed();
    }

    private void count(TaskResult r, long completedAt) {
        stats.record(r, completedAt);
        switch (r.state()) {
            case SUCCEEDED -> succeeded++;
            case FAILED -> failed++;
            case CANCELLED -> cancelled++;
        }
    }

    /** The store has the batch's end: it is finished. */
    public void ended(Instant at) {
        finishedAt = at;
        done.complete(status());
        changed();
    }

    /** This instance stopped running it before its end (another runs it now): waiters and readers look elsewhere. */
    public void handOver() {
        handedOver = true;
        done.completeExceptionally(new HandedOverException(id));
        changed();
    }

    @Override
    public boolean handedOver() {
        return handedOver;
    }

    /** The state its end is stored with, once every result is in. */
    public BatchState finalState() {
        if (cancelledByClient) {
            return BatchState.CANCELLED;
        }
        return failedSoFar.get() > 0 || cancelledSoFar.get() > 0 ? BatchState.FAILED : BatchState.SUCCEEDED;
    }
}
