package dev.fanout.execution;

import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.core.TaskState;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.TaskFunction;

import dev.fanout.runner.TimeoutQueue;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Drives one batch: a feeder thread hands tasks to backends in input order, at most {@code maxConcurrency} in
 * flight; outcomes come back through {@link Attempt.Listener}, where retries, failFast and timeouts are decided.
 *
 * <pre>
 *  feeder (virtual thread)          backend                       this listener
 *  permit -> Attempt #1 ---------> submit -> start -> run ---->  completed(result)
 *                                                                  | retriable and tries left: backoff, Attempt #n+1
 *                                  Deadlines (taskTimeout) -> stop ->  | otherwise: batch.finish (exactly once), release permit
 *                                  cancel ----------------> stop ->  | failFast and FAILED: cancel the rest
 * </pre>
 */
final class BatchRun implements Attempt.Listener {
    private final Engine engine;
    private final Batch batch;
    private final Semaphore permits;
    private final TimeoutQueue<Attempt> deadlines;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** The current attempt of each task in flight, including one waiting for its retry; null otherwise. */
    private final AtomicReferenceArray<Attempt> inFlight;
    private volatile Thread feeder;

    BatchRun(Engine engine, Batch batch) {
        this.engine = engine;
        this.batch = batch;
        this.permits = new Semaphore(batch.options().maxConcurrency());
        this.inFlight = new AtomicReferenceArray<>(batch.total());
        this.deadlines = new TimeoutQueue<>(batch.options().taskTimeout().toNanos(),
                (action, nanos) -> engine.schedule(action, nanos, TimeUnit.NANOSECONDS),
                attempt -> attempt.stop(Attempt.Stop.TIMEOUT));
    }

    Batch batch() {
        return batch;
    }

    /** Attempts whose taskTimeout clock still runs. */
    int clocksRunning() {
        return deadlines.size();
    }

    void start() {
        feeder = Thread.ofVirtual().name("fanout-feeder-" + batch.id()).start(this::feed);
    }

    private void feed() {
        int i = 0;
        try {
            for (; i < batch.total() && !batch.isStopping(); i++) {
                TaskSpec task = batch.task(i);
                if (task == null) {
                    continue; // cancelled meanwhile
                }
                TaskFunction function = engine.function(task);
                permits.acquire();
                if (function.kind() == FunctionKind.IO) {
                    acquireIo();
                }
                if (!batch.markDispatched(i)) {
                    release(function);
                    continue;
                }
                submit(i, task, 1);
            }
        } catch (InterruptedException e) {
            // cancelled: the canceller gives the remaining tasks their results
        } catch (RuntimeException e) {
            // a bug here must not leave tasks without results
            String message = "could not dispatch: " + e;
            for (; i < batch.total(); i++) {
                TaskSpec task = batch.task(i);
                if (task != null) {
                    finish(i, task, TaskResult.failed(task.id(), ErrorType.BACKEND_ERROR, message, 0, null, null, 0));
                }
            }
        }
    }

    private void acquireIo() throws InterruptedException {
        try {
            engine.ioPermits().acquire();
        } catch (InterruptedException e) {
            permits.release();
            throw e;
        }
    }

    private void submit(int index, TaskSpec task, int number) {
        Backend backend = engine.backend(task, batch.options());
        Attempt attempt = new Attempt(this, backend, batch.id(), index, task, number, batch.options());
        inFlight.set(index, attempt);
        if (batch.isStopping()) {
            attempt.stop(Attempt.Stop.CANCELLED);
            return;
        }
        String unavailable = backend.unavailableReason();
        if (unavailable != null) {
            attempt.complete(TaskResult.failed(attempt.task().id(), ErrorType.BACKEND_ERROR, unavailable,
                    attempt.number(), backend.name(), null, 0));
            return;
        }
        try {
            backend.submit(attempt);
        } catch (RuntimeException e) {
            attempt.complete(TaskResult.failed(attempt.task().id(), ErrorType.BACKEND_ERROR,
                    backend.name() + " refused the task: " + e.getMessage(), attempt.number(), backend.name(), null, 0));
        }
    }

    @Override
    public boolean started(Attempt attempt) {
        if (!batch.markRunning(attempt.index())) {
            return false;
        }
        if (!attempt.backend().enforcesTimeouts()) {
            attempt.clock = deadlines.add(attempt);
            if (attempt.isDone()) {
                attempt.clock.cancel(); // completed while its clock was being set: completed() found none to stop
            }
        }
        return true;
    }

    @Override
    public void completed(Attempt attempt, TaskResult result) {
        TimeoutQueue<Attempt>.Clock clock = attempt.clock;
        if (clock != null) {
            clock.cancel(); // at once: a finished attempt (and its input) must not wait for its deadline to be freed
        }
        int index = attempt.index();
        TaskSpec task = batch.task(index);
        if (task == null) {
            return; // the task already has its result (cancelled while this attempt ran)
        }
        if (result.retriable() && attempt.number() <= batch.options().retries() && !batch.isStopping()) {
            batch.markWaiting(index);
            engine.listener().taskRetried(batch, result);
            engine.schedule(() -> retry(attempt), engine.retryBackoff().nanos(attempt.number()), TimeUnit.NANOSECONDS);
            return;
        }
        inFlight.compareAndSet(index, attempt, null);
        finish(index, task, result);
    }

    private void retry(Attempt previous) {
        TaskSpec task = batch.task(previous.index());
        if (task == null || batch.isStopping()) {
            return; // the canceller has given it its result
        }
        submit(previous.index(), task, previous.number() + 1);
    }

    private void finish(int index, TaskSpec task, TaskResult result) {
        int previous = batch.finish(index, result);
        if (previous < 0) {
            return;
        }
        if (previous == Batch.WAITING || previous == Batch.RUNNING) {
            release(engine.function(task));
        }
        engine.listener().taskFinished(batch, result);
        if (result.state() == TaskState.FAILED && batch.options().failFast()) {
            cancel(false);
        }
        if (batch.isFinished() && ended.compareAndSet(false, true)) { // the last two finishers may both see it
            deadlines.close();
            engine.listener().batchFinished(batch);
        }
    }

    private void release(TaskFunction function) {
        permits.release();
        if (function.kind() == FunctionKind.IO) {
            engine.ioPermits().release();
        }
    }

    /** Stops the batch: running attempts are stopped, every task without a result becomes CANCELLED. */
    void cancel(boolean byClient) {
        stop(byClient, byClient ? "batch cancelled" : "batch stopped by failFast after a failed task");
    }

    /** The service is stopping and the grace period is over. */
    void shutDown() {
        stop(true, "the service shut down before the task finished (fanout.shutdown.grace-period)");
    }

    private void stop(boolean byClient, String why) {
        if (!batch.requestStop(byClient)) {
            return;
        }
        Thread f = feeder;
        if (f != null) {
            f.interrupt();
        }
        for (int i = 0; i < inFlight.length(); i++) {
            Attempt attempt = inFlight.get(i);
            if (attempt != null) {
                attempt.stop(Attempt.Stop.CANCELLED, why);
            }
        }
        for (int i = 0; i < batch.total(); i++) {
            TaskSpec task = batch.task(i);
            if (task != null) {
                Attempt last = inFlight.getAndSet(i, null);
                int attempts = last == null ? 0 : last.number();
                finish(i, task, TaskResult.failed(task.id(), ErrorType.CANCELLED, why, attempts, null, null, 0));
            }
        }
    }
}
