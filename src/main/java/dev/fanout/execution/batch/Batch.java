package dev.fanout.execution.batch;

import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.store.StoredTask;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
    /** Where a finished task's result goes next: the journal, called in completion order. */
    public interface Sink {
        /** @param stop why the batch stops with this result (stored with it), or null */
        void finished(Batch batch, int index, int position, int seq, TaskResult result, boolean last, String stop);
    }

    private final String id;
    private final long epoch;
    private final String tenant;
    private final Instant createdAt;
    private final BatchOptions options;
    private final TaskProgress progress;
    private final AtomicReferenceArray<TaskResult> results;
    private final CompletionLog log;
    private final BatchStats stats;
    private final Outcome outcome = new Outcome();
    private final Changes changes = new Changes();
    // visible (published) counts
    private volatile int succeeded;
    private volatile int failed;
    private volatile int cancelled;
    private volatile Instant finishedAt;
    private volatile boolean handedOver;
    private final CompletableFuture<BatchStatus> done = new CompletableFuture<>();

    public Batch(String id, long epoch, String tenant, Instant createdAt, List<TaskSpec> tasks, BatchOptions options) {
        this.id = id;
        this.epoch = epoch;
        this.tenant = tenant;
        this.createdAt = createdAt;
        this.options = options;
        this.progress = TaskProgress.of(tasks);
        this.results = new AtomicReferenceArray<>(tasks.size());
        this.log = new CompletionLog(tasks.size());
        this.stats = new BatchStats(createdAt.toEpochMilli());
    }

    /**
     * A batch taken up again from the store (after a restart, a takeover, a redrive): the tasks that have a result keep
     * it, in its place of the completion log, and will not run again; the others will, their attempts counting on.
     */
    public Batch(String id, long epoch, String tenant, Instant createdAt, List<StoredTask> stored, BatchOptions options,
                 int lastSeq) {
        int n = stored.size();
        this.id = id;
        this.epoch = epoch;
        this.tenant = tenant;
        this.createdAt = createdAt;
        this.options = options;
        this.progress = TaskProgress.resumed(stored);
        this.results = new AtomicReferenceArray<>(n);
        this.log = new CompletionLog(n);
        this.stats = new BatchStats(createdAt.toEpochMilli());
        List<StoredTask> done = new ArrayList<>(stored.stream().filter(t -> t.result() != null).toList());
        done.sort(Comparator.comparingInt(StoredTask::seq));
        for (StoredTask t : done) {
            results.set(t.index(), t.result());
            log.preload(t.index(), t.seq());
            TaskResult r = t.result();
            count(r, r.startedAt() == null ? -1 : r.startedAt().toEpochMilli() + r.durationMs());
            outcome.count(t.result());
        }
        log.continueAfter(lastSeq);
    }

    @Override
    public String id() {
        return id;
    }

    /** The store's fencing number of this run's claim: every write of the run is conditional on it. */
    public long epoch() {
        return epoch;
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
        int r = progress.running(), s = succeeded, f = failed, c = cancelled; // each read once
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
        return !finished ? BatchState.RUNNING
                : outcome.cancelledByClient() ? BatchState.CANCELLED
                : failed > 0 || cancelled > 0 ? BatchState.FAILED : BatchState.SUCCEEDED;
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

    /** A future completed at the next published result (or at once when the batch is finished): see {@link Changes}. */
    @Override
    public CompletableFuture<Void> nextChange() {
        return changes.next(() -> isFinished() || handedOver);
    }

    // ---- engine side ----

    /** Each task's progress in this run: the engine's marks as it dispatches, runs and retries it. */
    public TaskProgress progress() {
        return progress;
    }

    /** The stop requested, the failures so far, and the state the batch will end in. */
    public Outcome outcome() {
        return outcome;
    }

    /** True when every task has its result in memory (the end may not be stored yet). */
    public boolean allResultsIn() {
        return log.full();
    }

    /** Answers true for the first call only (see {@link Outcome}). */
    public boolean requestStop(boolean byClient) {
        return outcome.requestStop(byClient, allResultsIn());
    }

    /**
     * Gives the task its result unless it already has one, and hands it to {@code sink} in completion order. Answers
     * the status the task had before (PENDING, WAITING or RUNNING), or -1 when it already had a result and this one
     * was dropped.
     */
    public int finish(int index, TaskResult result, Sink sink) {
        int previous = progress.settle(index, result);
        if (previous < 0) {
            return -1;
        }
        results.set(index, result);
        outcome.count(result);
        String stop = outcome.stopFor(result, options, total());
        log.append(index, (position, seq, last) -> sink.finished(this, index, position, seq, result, last, stop));
        return previous;
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
        changes.fire();
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
        changes.fire();
    }

    /** This instance stopped running it before its end (another runs it now): waiters and readers look elsewhere. */
    public void handOver() {
        handedOver = true;
        done.completeExceptionally(new HandedOverException(id));
        changes.fire();
    }

    @Override
    public boolean handedOver() {
        return handedOver;
    }
}
