package dev.fanout.execution.process;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Settings of the worker process pool.
 *
 * @param workers           processes in the pool (ProcessPoolExecutor's max_workers)
 * @param command           how to start one (see {@link WorkerCommand})
 * @param maxTasksPerWorker a worker is replaced after this many tasks (max_tasks_per_child); 0 for never
 * @param startTimeout      a worker that has not said hello by then counts as failed to start
 * @param restartBackoff    how long the pool waits before trying again after workers kept failing at start-up
 * @param environment       added to the workers' environment (settings for functions, see WorkerSettings)
 */
public record ProcessPoolConfig(int workers, List<String> command, int maxTasksPerWorker, Duration startTimeout,
                                Duration restartBackoff, Map<String, String> environment) {

    /** Consecutive start-up failures after which the backend is marked unavailable instead of looping. */
    public static final int MAX_START_FAILURES = 3;

    public ProcessPoolConfig {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        if (maxTasksPerWorker < 0) {
            throw new IllegalArgumentException("maxTasksPerWorker must be 0 (never) or more, got " + maxTasksPerWorker);
        }
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
    }
}
