package dev.fanout.execution.engine;

import dev.fanout.core.TaskResult;
import dev.fanout.execution.backend.ChunkTrace;
import dev.fanout.execution.batch.Batch;

import java.util.function.Supplier;

/**
 * A listener whose failures stay its own: metrics and traces are called on the paths that start, finish and dispatch
 * tasks (a backend's dispatcher among them), and an exception there must cost a lost metric or span, never a task
 * left waiting or a dispatcher dead. Each failure is logged.
 */
final class GuardedListener implements EngineListener {
    private static final System.Logger LOG = System.getLogger(GuardedListener.class.getName());

    private final EngineListener inner;

    private GuardedListener(EngineListener inner) {
        this.inner = inner;
    }

    static EngineListener of(EngineListener listener) {
        return listener == NONE || listener instanceof GuardedListener ? listener : new GuardedListener(listener);
    }

    private static void guard(String what, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "an engine listener failed at " + what + "; the tasks go on", e);
        }
    }

    private static <T> T guard(String what, Supplier<T> call, T otherwise) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "an engine listener failed at " + what + "; the tasks go on", e);
            return otherwise;
        }
    }

    @Override
    public void batchStarted(Batch batch, Start how) {
        guard("batchStarted", () -> inner.batchStarted(batch, how));
    }

    @Override
    public void taskFinished(Batch batch, TaskResult result) {
        guard("taskFinished", () -> inner.taskFinished(batch, result));
    }

    @Override
    public void taskRetried(Batch batch, TaskResult failedAttempt) {
        guard("taskRetried", () -> inner.taskRetried(batch, failedAttempt));
    }

    @Override
    public void batchFinished(Batch batch) {
        guard("batchFinished", () -> inner.batchFinished(batch));
    }

    @Override
    public void batchAbandoned(Batch batch) {
        guard("batchAbandoned", () -> inner.batchAbandoned(batch));
    }

    @Override
    public ChunkTrace chunkSent(Batch batch, String backend, int tasks) {
        ChunkTrace trace = guard("chunkSent", () -> inner.chunkSent(batch, backend, tasks), ChunkTrace.NONE);
        if (trace == null || trace == ChunkTrace.NONE) {
            return ChunkTrace.NONE;
        }
        return (outcome, succeeded, failed, why) -> guard("a chunk's end",
                () -> trace.ended(outcome, succeeded, failed, why));
    }
}
