package dev.fanout.store.memory;

import dev.fanout.core.ResultSizes;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.core.TaskState;
import dev.fanout.store.Change;
import dev.fanout.store.NewBatch;
import dev.fanout.store.StoredBatch;
import dev.fanout.store.StoredResult;
import dev.fanout.store.StoredTask;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One batch's row and results; guarded by its own monitor. */
final class MemoryBatch {
    final String id;
    final long[] order;
    final int total;
    final long createdAt;
    final String idempotencyKey;
    final String tenant;
    final String requestHash;
    final TaskSpec[] tasks; // a task's input is dropped once it succeeded: only failures are run again
    final int[] attempts;
    final int[] retriedAfter; // attempts at the latest redrive
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
    int concurrency; // reserved of its tenant's max-concurrency while RUNNING
    long epoch = dev.fanout.store.Store.FIRST_EPOCH; // one higher with every redrive (a memory store has no claims)

    MemoryBatch(NewBatch batch, long[] order) {
        this.id = batch.id();
        this.order = order;
        this.total = batch.tasks().size();
        this.createdAt = batch.createdAt();
        this.idempotencyKey = batch.idempotencyKey();
        this.tenant = batch.tenant();
        this.concurrency = batch.concurrency();
        this.requestHash = batch.requestHash();
        this.options = batch.options();
        this.tasks = batch.tasks().toArray(TaskSpec[]::new);
        this.attempts = new int[total];
        this.retriedAfter = new int[total];
        this.results = new TaskResult[total];
        this.seqOf = new int[total];
        this.bySeq = new int[Math.max(16, total)];
        Arrays.fill(bySeq, -1);
    }

    boolean record(Change.Finished f) {
        if (results[f.index()] != null) {
            return false;
        }
        results[f.index()] = f.result();
        seqOf[f.index()] = f.seq();
        attempts[f.index()] = Math.max(attempts[f.index()], f.result().attempts());
        while (bySeq.length < f.seq()) {
            int[] grown = Arrays.copyOf(bySeq, bySeq.length * 2);
            Arrays.fill(grown, bySeq.length, grown.length, -1);
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

    boolean redrive(String newOptions, int newConcurrency) {
        if (state.equals("RUNNING")) {
            return false;
        }
        concurrency = newConcurrency;
        epoch++;
        for (int i = 0; i < total; i++) {
            TaskResult r = results[i];
            if (r != null && r.state() != TaskState.SUCCEEDED) {
                bySeq[seqOf[i] - 1] = -1;
                results[i] = null;
                retriedAfter[i] = attempts[i];
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
                finishedAt, stopReason, stoppedByClient, null, null, maxSeq, tenant);
    }

    List<StoredTask> tasks() {
        List<StoredTask> list = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            list.add(new StoredTask(i, tasks[i], attempts[i], retriedAfter[i], seqOf[i], results[i]));
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
