package dev.fanout.execution.engine;

import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.spi.TaskFunction;

/** Chooses the backend of a task. The engine's default sends IO functions to virtual threads, CPU ones to the batch's cpuBackend. */
@FunctionalInterface
public interface Router {
    Backend route(TaskFunction function, BatchOptions options);
}
