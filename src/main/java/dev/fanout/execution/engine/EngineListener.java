package dev.fanout.execution.engine;

import dev.fanout.execution.backend.ChunkTrace;
import dev.fanout.execution.batch.Batch;
import dev.fanout.core.TaskResult;

/**
 * Observes the engine, for metrics and traces. Called on engine and backend threads (a backend's possibly under its
 * lock): must be quick and must not throw.
 *
 * <p>A {@link Batch} object stands for one run of a batch on this instance: a resume after a restart or takeover,
 * and a redrive, run it again as another object. Every run that {@link #batchStarted starts} ends once, with
 * {@link #batchFinished} or {@link #batchAbandoned}.
 */
public interface EngineListener {
    EngineListener NONE = new EngineListener() {
    };

    /** How a run of a batch came to be on this instance. */
    enum Start {
        /** Submitted to this instance. */
        ACCEPTED,
        /** Taken up from the store: left by this instance's previous run, or by another instance. */
        RESUMED,
        /** Its failed and cancelled tasks run again. */
        REDRIVEN
    }

    /** A run begins, before any of its tasks is dispatched. */
    default void batchStarted(Batch batch, Start how) {
    }

    default void taskFinished(Batch batch, TaskResult result) {
    }

    default void taskRetried(Batch batch, TaskResult failedAttempt) {
    }

    /** Every task has its result, stored: the batch is over. */
    default void batchFinished(Batch batch) {
    }

    /**
     * This instance stops running the batch before its end, writing nothing more (a shutdown with a durable store, a
     * lease lost): a later run, here or elsewhere, finishes it. May be called more than once for one run.
     */
    default void batchAbandoned(Batch batch) {
    }

    /**
     * A chunking backend sends {@code tasks} attempts of the batch as one piece of work (a frame to a worker process,
     * a Lambda invocation). Answers what to tell once that piece of work is over. Never called per task by backends
     * that run tasks one by one: a batch may hold a million.
     */
    default ChunkTrace chunkSent(Batch batch, String backend, int tasks) {
        return ChunkTrace.NONE;
    }
}
