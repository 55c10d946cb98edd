package dev.fanout.execution.backend;

import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;

import dev.fanout.runner.TimeoutQueue;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One try at running one task, handed to a {@link Backend}. It moves QUEUED -> RUNNING -> DONE once; whichever of
 * the backend (complete) and the engine (stop: timeout or cancel) gets to DONE first decides its outcome, and the
 * other is ignored.
 */
public final class Attempt {
    /** Why the engine stopped an attempt. */
    public enum Stop { TIMEOUT, CANCELLED }

    /** The engine's side of an attempt. */
    public interface Listener {
        /** The attempt began running; answers false when its task is already over (the attempt is then stopped). */
        boolean started(Attempt attempt);

        void completed(Attempt attempt, TaskResult result);

        /** A backend sends this attempt first in a chunk of {@code tasks}: see {@link EngineListener#chunkSent}. */
        default ChunkTrace chunkSent(String backend, int tasks) {
            return ChunkTrace.NONE;
        }
    }

    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;

    private final AtomicInteger phase = new AtomicInteger(QUEUED);
    private final Listener listener;
    private final Backend backend;
    private final String batchId;
    private final int index;
    private final TaskSpec task;
    private final int number;
    private final BatchOptions options;
    private volatile String startedOn;
    private volatile Instant startedAt;
    private volatile long startNanos;
    private volatile Consumer<Stop> stopper;
    private volatile Stop stopped;
    /** Its taskTimeout clock, while the engine enforces it. */
    private volatile TimeoutQueue<Attempt>.Clock clock;

    /** Made by the engine's run of a batch ({@code listener}), for {@code backend} to run. */
    public Attempt(Listener listener, Backend backend, String batchId, int index, TaskSpec task, int number,
            BatchOptions options) {
        this.listener = listener;
        this.backend = backend;
        this.batchId = batchId;
        this.index = index;
        this.task = task;
        this.number = number;
        this.options = options;
    }

    public TaskSpec task() {
        return task;
    }

    /** 1 for the first attempt of a task, 2 for its first retry, ... */
    public int number() {
        return number;
    }

    /** Backends may group attempts of the same batch (chunks). */
    public String batchId() {
        return batchId;
    }

    public BatchOptions options() {
        return options;
    }

    public Duration timeout() {
        return options.taskTimeout();
    }

    /** The task's position in its batch (input order). */
    public int index() {
        return index;
    }

    /** The backend it was handed to. */
    public Backend backend() {
        return backend;
    }

    Listener listener() {
        return listener;
    }

    /** The engine's taskTimeout clock of this attempt, null when none runs (the engine's business, not a backend's). */
    public TimeoutQueue<Attempt>.Clock clock() {
        return clock;
    }

    /** The engine sets the clock when it starts enforcing the attempt's taskTimeout. */
    public void clock(TimeoutQueue<Attempt>.Clock c) {
        clock = c;
    }

    /**
     * Marks the attempt as running on {@code backendLabel} (e.g. {@code process:1234}). Answers false when the attempt
     * was stopped while queued: the backend must then not run it.
     */
    public boolean start(String backendLabel) {
        startedOn = backendLabel;
        startedAt = Instant.now();
        startNanos = System.nanoTime();
        if (!phase.compareAndSet(QUEUED, RUNNING)) {
            return false;
        }
        if (!listener.started(this)) {
            stop(Stop.CANCELLED);
            return false;
        }
        return true;
    }

    /** Reports the outcome. Answers false when the attempt was already stopped: the result is then dropped. */
    public boolean complete(TaskResult result) {
        if (phase.getAndSet(DONE) == DONE) {
            return false;
        }
        listener.completed(this, result.withAttempts(number));
        return true;
    }

    /**
     * Reports a failure of this attempt where the backend itself is the cause or the witness (a crashed worker, a
     * refused invocation); the result names {@code backendLabel} and, when the attempt had started, its duration.
     * Answers false when the attempt was already done.
     */
    public boolean fail(ErrorType type, String message, String backendLabel) {
        Instant at = startedAt;
        long ms = at == null ? 0 : (System.nanoTime() - startNanos) / 1_000_000;
        return complete(TaskResult.failed(task.id(), type, message, number, backendLabel, at, ms));
    }

    /** True once completed or stopped. */
    public boolean isDone() {
        return phase.get() == DONE;
    }

    /**
     * Registers how to stop this attempt's work. It may be called twice for one stop and must then do nothing
     * harmful: in particular it must not stop other work the same thread or process has moved on to.
     */
    public void onStop(Consumer<Stop> stopper) {
        this.stopper = stopper;
        Stop s = stopped;
        if (s != null) {
            stopper.accept(s);
        }
    }

    /** The engine stops the attempt; the result is TIMEOUT or CANCELLED. */
    public void stop(Stop reason) {
        stop(reason, null);
    }

    /** @param why the message of a CANCELLED result; null for the default one */
    public void stop(Stop reason, String why) {
        int previous;
        do { // until the stop lands: start may move QUEUED to RUNNING between the read and the swap
            previous = phase.get();
            if (previous == DONE) {
                return;
            }
        } while (!phase.compareAndSet(previous, DONE));
        stopped = reason;
        Consumer<Stop> s = stopper;
        if (s != null) {
            s.accept(reason);
        }
        listener.completed(this, stoppedResult(reason, previous == RUNNING, why));
    }

    private TaskResult stoppedResult(Stop reason, boolean wasRunning, String why) {
        if (!wasRunning) {
            return TaskResult.failed(task.id(), ErrorType.CANCELLED, why != null ? why
                    : "batch cancelled before the task started", number - 1, null, null, 0);
        }
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        return reason == Stop.TIMEOUT
                ? TaskResult.failed(task.id(), ErrorType.TIMEOUT, "exceeded taskTimeout of "
                + dev.fanout.spi.Durations.format(options.taskTimeout()), number, startedOn, startedAt, ms)
                : TaskResult.failed(task.id(), ErrorType.CANCELLED, why != null ? why
                : "batch cancelled while the task was running", number, startedOn, startedAt, ms);
    }
}
