package dev.fanout.execution;

import dev.fanout.core.ResultSizes;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.core.TaskState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One batch's tasks and results. Its central promise: each task gets exactly one result ({@link #finish} succeeds
 * once per task, whoever calls it). Results are kept in input order and in a completion log, which is what the
 * result streams read.
 */
public final class Batch {
    // task status; the order matters: everything from SUCCEEDED on is final
    static final int PENDING = 0;   // not handed to a backend yet
    static final int WAITING = 1;   // handed over (queued in a backend, or waiting to be retried)
    static final int RUNNING = 2;
    static final int SUCCEEDED = 3;
    static final int FAILED = 4;
    static final int CANCELLED = 5;

    private final String id;
    private final Instant createdAt = Instant.now();
    private final BatchOptions options;
    private final AtomicReferenceArray<TaskSpec> tasks; // a task's input is dropped once it has its result
    private final AtomicIntegerArray status;
    private final AtomicReferenceArray<TaskResult> results;
    private final int[] completionOrder;
    private volatile int completed;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger succeeded = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger cancelled = new AtomicInteger();
    private final AtomicLong resultBytes = new AtomicLong();
    private volatile boolean stopping;
    private volatile boolean cancelledByClient;
    private volatile Instant finishedAt;
    private final CompletableFuture<BatchStatus> done = new CompletableFuture<>();
    private final AtomicReference<CompletableFuture<Void>> change = new AtomicReference<>();

    Batch(String id, List<TaskSpec> tasks, BatchOptions options) {
        this.id = id;
        this.options = options;
        this.tasks = new AtomicReferenceArray<>(tasks.toArray(TaskSpec[]::new));
        this.status = new AtomicIntegerArray(tasks.size());
        this.results = new AtomicReferenceArray<>(tasks.size());
        this.completionOrder = new int[tasks.size()];
    }

    public String id() {
        return id;
    }

    public BatchOptions options() {
        return options;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public int total() {
        return completionOrder.length;
    }

    public BatchStatus status() {
        int r = running.get();
        int s = succeeded.get();
        int f = failed.get();
        int c = cancelled.get();
        Instant end = finishedAt;
        return new BatchStatus(id, state(end != null), total(), Math.max(0, total() - r - s - f - c), r, s, f, c,
                createdAt, end);
    }

    private BatchState state(boolean finished) {
        if (!finished) {
            return BatchState.RUNNING;
        }
        if (cancelledByClient) {
            return BatchState.CANCELLED;
        }
        return failed.get() > 0 || cancelled.get() > 0 ? BatchState.FAILED : BatchState.SUCCEEDED;
    }

    /** The estimated heap its results take ({@link ResultSizes}). */
    public long resultBytes() {
        return resultBytes.get();
    }

    public boolean isFinished() {
        return finishedAt != null;
    }

    /** Completes with the final status when every task has its result. */
    public CompletableFuture<BatchStatus> done() {
        return done;
    }

    /** The result of the task at {@code index} in input order, or null while it has none. */
    public TaskResult result(int index) {
        return results.get(index);
    }

    /** How many results exist; {@link #completedAt} reads them in completion order. */
    public int completedCount() {
        return completed;
    }

    /** The {@code k}-th result to complete, for {@code k < completedCount()}. */
    public TaskResult completedAt(int k) {
        return results.get(completionOrder[k]);
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
     * A future completed at the next result (or at once when the batch is finished). Readers take it first, then
     * check for what they wait for, then wait on it: no result can slip between.
     */
    public CompletableFuture<Void> nextChange() {
        if (isFinished()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> f = change.get();
        if (f == null) {
            CompletableFuture<Void> fresh = new CompletableFuture<>();
            f = change.compareAndExchange(null, fresh);
            f = f == null ? fresh : f;
        }
        if (isFinished()) {
            f.complete(null);
        }
        return f;
    }

    // ---- engine side ----

    TaskSpec task(int index) {
        return tasks.get(index);
    }

    boolean isStopping() {
        return stopping;
    }

    /** Answers true for the first call only. */
    boolean requestStop(boolean byClient) {
        synchronized (this) {
            if (stopping) {
                return false;
            }
            cancelledByClient = byClient && !isFinished();
            stopping = true;
            return true;
        }
    }

    boolean markDispatched(int index) {
        return status.compareAndSet(index, PENDING, WAITING);
    }

    boolean markRunning(int index) {
        if (status.compareAndSet(index, WAITING, RUNNING)) {
            running.incrementAndGet();
            return true;
        }
        return false;
    }

    void markWaiting(int index) {
        if (status.compareAndSet(index, RUNNING, WAITING)) {
            running.decrementAndGet();
        }
    }


    /**
     * Gives the task its result unless it already has one. Answers the status the task had before (PENDING,
     * WAITING or RUNNING), or -1 when it already had a result and this one was dropped.
     */
    int finish(int index, TaskResult result) {
        int target = switch (result.state()) {
            case SUCCEEDED -> SUCCEEDED;
            case FAILED -> FAILED;
            case CANCELLED -> CANCELLED;
        };
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
        resultBytes.addAndGet(ResultSizes.estimate(result));
        (result.state() == TaskState.SUCCEEDED ? succeeded : result.state() == TaskState.FAILED ? failed : cancelled)
                .incrementAndGet();
        boolean last;
        synchronized (completionOrder) {
            completionOrder[completed] = index;
            completed = completed + 1;
            last = completed == completionOrder.length;
        }
        if (last) {
            finishedAt = Instant.now();
            done.complete(status());
        }
        CompletableFuture<Void> f = change.get();
        if (f != null && (f = change.getAndSet(null)) != null) {
            f.complete(null);
        }
        return previous;
    }
}
