package dev.fanout.execution.batch;

import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.store.StoredTask;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Each task's progress in this instance's run of its batch: its input until it has a result, its status (one
 * compare-and-set a step: PENDING -> WAITING <-> RUNNING -> a final state, which no later step leaves), how many run
 * now, and the attempts of earlier runs (resumed, redriven) that its attempt numbers and retries count on.
 */
public final class TaskProgress {
    // the order matters: everything from SUCCEEDED on is final
    static final int PENDING = 0;   // not handed to a backend yet
    public static final int WAITING = 1;   // handed over (queued in a backend, or waiting to be retried)
    public static final int RUNNING = 2;
    static final int SUCCEEDED = 3;
    static final int FAILED = 4;
    static final int CANCELLED = 5;
    static final int RELEASED = 6; // its run gave the batch up and what it held for the task: another run settles it

    private final AtomicReferenceArray<TaskSpec> tasks; // a task's input is dropped once it has its result
    private final AtomicIntegerArray status;
    private final int[] priorAttempts; // attempts started in earlier runs of this batch (resumed, redriven)
    private final int[] retriedAfter; // attempts before its latest redrive: retries count from there
    private final AtomicInteger running = new AtomicInteger();

    private TaskProgress(AtomicReferenceArray<TaskSpec> tasks, int[] priorAttempts, int[] retriedAfter) {
        this.tasks = tasks;
        this.status = new AtomicIntegerArray(tasks.length());
        this.priorAttempts = priorAttempts;
        this.retriedAfter = retriedAfter;
    }

    /** A new batch's: every task PENDING, no attempt yet. */
    static TaskProgress of(List<TaskSpec> tasks) {
        return new TaskProgress(new AtomicReferenceArray<>(tasks.toArray(TaskSpec[]::new)), null, null);
    }

    /** A batch's taken up again from the store: the tasks without a result PENDING, their attempts counting on. */
    static TaskProgress resumed(List<StoredTask> stored) {
        int n = stored.size();
        TaskProgress p = new TaskProgress(new AtomicReferenceArray<>(n), new int[n], new int[n]);
        p.load(stored);
        return p;
    }

    private void load(List<StoredTask> stored) {
        for (StoredTask t : stored) {
            priorAttempts[t.index()] = t.attempts();
            retriedAfter[t.index()] = t.retriedAfter();
            if (t.result() == null) {
                tasks.set(t.index(), t.spec());
            } else {
                status.set(t.index(), stateOf(t.result()));
            }
        }
    }

    /** The task at {@code index}, or null once it has its result. */
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

    /** PENDING -> WAITING: handed to a backend. False when it was not PENDING (it has its result). */
    public boolean markDispatched(int index) {
        return status.compareAndSet(index, PENDING, WAITING);
    }

    /** WAITING -> RUNNING: its attempt started. False when it was not WAITING (stopped or finished meanwhile). */
    public boolean markRunning(int index) {
        if (status.compareAndSet(index, WAITING, RUNNING)) {
            running.incrementAndGet();
            return true;
        }
        return false;
    }

    /** RUNNING -> WAITING: its attempt ended and another is due (a retry). */
    public void markWaiting(int index) {
        if (status.compareAndSet(index, RUNNING, WAITING)) {
            running.decrementAndGet();
        }
    }

    /**
     * WAITING or RUNNING -> RELEASED, the run having given the batch up: answers true once for a task that held a
     * dispatch permit (which the caller gives back), false when it held none or was released already.
     */
    public boolean release(int index) {
        int previous;
        do {
            previous = status.get(index);
            if (previous != WAITING && previous != RUNNING) {
                return false;
            }
        } while (!status.compareAndSet(index, previous, RELEASED));
        if (previous == RUNNING) {
            running.decrementAndGet();
        }
        return true;
    }

    /** Tasks whose attempt runs now. */
    public int running() {
        return running.get();
    }

    /**
     * Moves the task to {@code result}'s final state unless it has one already, and drops its input. Answers the
     * status it had before (PENDING, WAITING or RUNNING), or -1 when it already had a final one.
     */
    int settle(int index, TaskResult result) {
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
        tasks.set(index, null);
        return previous;
    }

    private static int stateOf(TaskResult result) {
        return switch (result.state()) {
            case SUCCEEDED -> SUCCEEDED;
            case FAILED -> FAILED;
            case CANCELLED -> CANCELLED;
        };
    }
}
