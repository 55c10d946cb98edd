package dev.fanout.execution;

import dev.fanout.core.TaskResult;

/** Observes the engine, for metrics and logs. Called on engine threads: must be quick and must not throw. */
public interface EngineListener {
    EngineListener NONE = new EngineListener() {
    };

    default void taskFinished(Batch batch, TaskResult result) {
    }

    default void taskRetried(Batch batch, TaskResult failedAttempt) {
    }

    default void batchFinished(Batch batch) {
    }
}
