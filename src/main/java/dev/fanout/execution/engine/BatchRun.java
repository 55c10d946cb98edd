package dev.fanout.execution.engine;

import dev.fanout.execution.durability.Journal;
import dev.fanout.execution.backend.Attempt;
import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.backend.ChunkTrace;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.TaskProgress;
import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.core.TaskState;
import dev.fanout.runner.TimeoutQueue;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.TaskFunction;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Drives one batch in this instance: a feeder thread hands tasks to backends in input order, at most
 * {@code maxConcurrency} in flight; outcomes come back through {@link Attempt.Listener}, where retries, tolerated
 * failures and timeouts are decided, and results go to the journal, which stores and then publishes them.
 *
 * <pre>
 *  feeder (virtual thread)          backend                       this listener
 *  permit -> Attempt #n ---------> submit -> start -> run ---->  completed(result)
 *  (tasks with a stored result      (start -> journal)              | retriable and tries left: backoff, Attempt #n+1
 *   are skipped)                                                    | otherwise: batch.finish -> journal, release permit
 *                                  TimeoutQueue (taskTimeout) -> stop | more failed than tolerated: cancel the rest
 *                                  cancel ----------------> stop ->  |
 *  abandon (shutdown with a durable store, lease lost): stop everything, write nothing: another run takes it up
 * </pre>
 */
final class BatchRun implements Attempt.Listener {
    private static final System.Logger LOG = System.getLogger(BatchRun.class.getName());
    private final RunContext engine;
    private final Batch batch;
    private final Journal journal;
    private final Semaphore permits;
    private final TimeoutQueue<Attempt> deadlines;
    /** The current attempt of each task in flight, including one waiting for its retry; null otherwise. */
    private final AtomicReferenceArray<Attempt> inFlight;
    private volatile Thread feeder;
    private volatile boolean abandoned;
    final AtomicLong leaseUntil; // until when the store holds this run's claim, as far as its last renewal said
    /** Resumed with every result stored (a crash between the last result and the end): only the end is left. */
    private final boolean completeAtStart;

    BatchRun(RunContext engine, Batch batch, Journal journal, long leaseUntil) {
        this.engine = engine;
        this.leaseUntil = new AtomicLong(leaseUntil);
        this.batch = batch;
        this.journal = journal;
        this.completeAtStart = batch.allResultsIn();
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
            if (completeAtStart) {
                journal.ended(batch);
                return;
            } // otherwise the end goes with the last result recorded in this run (a stored cancel may record them all)
            for (; i < batch.total() && !batch.outcome().isStopping(); i++) {
                TaskSpec task = batch.progress().task(i);
                if (task == null) {
                    continue; // has its result (stored, or cancelled meanwhile)
                }
                TaskFunction function = engine.function(task);
                journal.awaitRoom();
                permits.acquire();
                if (function.kind() == FunctionKind.IO) {
                    acquireIo();
                }
                if (!batch.progress().markDispatched(i)) {
                    release(function);
                    continue;
                }
                submit(i, task, batch.progress().priorAttempts(i) + 1);
            }
        } catch (InterruptedException e) {
            // cancelled or abandoned: the canceller gives the remaining tasks their results
        } catch (RuntimeException e) {
            // a bug here must not leave tasks without results
            String message = "could not dispatch: " + e;
            for (; i < batch.total(); i++) {
                TaskSpec task = batch.progress().task(i);
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
        if (batch.outcome().isStopping() || abandoned) {
            attempt.stop(Attempt.Stop.CANCELLED);
            return;
        }
        String unavailable = backend.unavailableReason();
        if (unavailable != null) {
            attempt.fail(ErrorType.BACKEND_ERROR, unavailable, backend.name());
            return;
        }
        try {
            backend.submit(attempt);
        } catch (RuntimeException e) {
            attempt.fail(ErrorType.BACKEND_ERROR, backend.name() + " refused the task: " + e.getMessage(),
                    backend.name());
        }
    }

    @Override
    public boolean started(Attempt attempt) {
        if (abandoned || !batch.progress().markRunning(attempt.index())) {
            return false;
        }
        journal.started(batch, attempt.index(), attempt.number());
        if (!attempt.backend().enforcesTimeouts()) {
            attempt.clock(deadlines.add(attempt));
            if (attempt.isDone()) {
                attempt.clock().cancel(); // completed while its clock was being set: completed() found none to stop
            }
        }
        return true;
    }

    @Override
    public ChunkTrace chunkSent(String backend, int tasks) {
        return engine.listener().chunkSent(batch, backend, tasks);
    }

    @Override
    public void completed(Attempt attempt, TaskResult result) {
        TimeoutQueue<Attempt>.Clock clock = attempt.clock();
        if (clock != null) {
            clock.cancel(); // at once: a finished attempt (and its input) must not wait for its deadline to be freed
        }
        int index = attempt.index();
        TaskSpec task = batch.progress().task(index);
        if (abandoned) {
            giveBack(index, task); // another run owns the batch: only what this one held goes back
            return;
        }
        if (task == null) {
            return; // the task already has its result (cancelled while this attempt ran)
        }
        if (result.retriable() && attempt.number() - batch.progress().retriedAfter(index) <= batch.options().retries()
                && !batch.outcome().isStopping()) {
            batch.progress().markWaiting(index);
            engine.listener().taskRetried(batch, result);
            engine.schedule(() -> retry(attempt), engine.retryBackoff().nanos(attempt.number()),
                    TimeUnit.NANOSECONDS);
            return;
        }
        inFlight.compareAndSet(index, attempt, null);
        finish(index, task, result);
    }

    private void retry(Attempt previous) {
        TaskSpec task = batch.progress().task(previous.index());
        if (abandoned) {
            giveBack(previous.index(), task);
        } else if (task != null && !batch.outcome().isStopping()) { // else the canceller gives it its result
            submit(previous.index(), task, previous.number() + 1);
        }
    }

    private void finish(int index, TaskSpec task, TaskResult result) {
        int previous = batch.finish(index, result, journal);
        if (previous < 0) {
            return;
        }
        engine.listener().taskFinished(batch, result);
        String stop = batch.outcome().stopFor(result, batch.options(), batch.total());
        if (stop != null) {
            // before this task's permit is released: the feeder must not start another task first (the journal
            // stores the stop with this result, in one commit: a run that resumes the batch runs no more of it)
            stop(false, stop);
        }
        if (previous == TaskProgress.WAITING || previous == TaskProgress.RUNNING) {
            release(engine.function(task));
        }
        if (batch.allResultsIn()) {
            deadlines.close();
        }
    }

    private void release(TaskFunction function) {
        permits.release();
        if (function.kind() == FunctionKind.IO) {
            engine.ioPermits().release();
        }
    }

    /** Stops the batch: running attempts are stopped, every task without a result becomes CANCELLED. */
    void cancel(boolean byClient, String why) {
        stop(byClient, why);
    }

    /** The service is stopping and the grace period is over (a store that keeps nothing: the batch ends here). */
    void shutDown() {
        stop(true, "the service shut down before the task finished (fanout.shutdown.grace-period)");
    }

    private void stop(boolean byClient, String why) {
        if (!batch.requestStop(byClient)) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, "batch " + batch.id() + " cancelled (" + why + "): its tasks without a "
                + "result end CANCELLED");
        interruptFeeder();
        for (int i = 0; i < inFlight.length(); i++) {
            Attempt attempt = inFlight.get(i);
            if (attempt != null) {
                attempt.stop(Attempt.Stop.CANCELLED, why);
            }
        }
        for (int i = 0; i < batch.total(); i++) {
            TaskSpec task = batch.progress().task(i);
            if (task != null) {
                Attempt last = inFlight.getAndSet(i, null);
                int attempts = last == null ? batch.progress().priorAttempts(i) : last.number();
                finish(i, task, TaskResult.failed(task.id(), ErrorType.CANCELLED, why, attempts, null, null, 0));
            }
        }
    }

    /** Stops the work, giving no task a result: the batch stays RUNNING in the store for its next run to take up. */
    void abandon() {
        abandoned = true;
        batch.handOver();
        interruptFeeder();
        for (int i = 0; i < inFlight.length(); i++) {
            Attempt attempt = inFlight.getAndSet(i, null);
            if (attempt != null) {
                attempt.stop(Attempt.Stop.CANCELLED, "abandoned");
            }
        }
        // permits back now (queued, running, waiting to retry): lost batches must not starve the batches still here
        for (int i = 0; i < batch.total(); i++) {
            giveBack(i, batch.progress().task(i));
        }
        deadlines.close();
        engine.listener().batchAbandoned(batch);
    }

    /** Once per task: the permits it held in this run, if it held any. */
    private void giveBack(int index, TaskSpec task) {
        if (task != null && batch.progress().release(index)) {
            release(engine.function(task));
        }
    }

    boolean isAbandoned() {
        return abandoned;
    }

    private void interruptFeeder() {
        Thread f = feeder;
        if (f != null) {
            f.interrupt();
        }
    }
}
