package dev.fanout.execution.process;

import dev.fanout.protocol.Frames;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Settings of the worker process pool.
 *
 * @param workers           processes in the pool (ProcessPoolExecutor's max_workers)
 * @param command           how to start one (see {@link dev.fanout.worker.process.WorkerCommand})
 * @param maxTasksPerWorker a worker is replaced after this many tasks (max_tasks_per_child); 0 for never
 * @param startTimeout      a worker that has not said hello by then counts as failed to start
 * @param restartBackoff    the first wait before trying again once workers kept failing at start-up
 *                          ({@link #MAX_START_FAILURES} in a row); it doubles with each further failure
 * @param maxRestartBackoff the longest of those waits: the pool never stops trying, but no more often than this
 * @param environment       a worker's whole environment: it inherits nothing of the service's (the service passes
 *                          a few variables such as PATH, and settings for functions, see WorkerSettings)
 * @param maxFrameBytes     the largest chunk frame sent to a worker: chunks are cut to fit, a task too big for any
 *                          frame fails INVALID_INPUT (default and maximum {@link Frames#MAX_FRAME_BYTES}, which a
 *                          worker refuses to exceed)
 */
public record ProcessPoolConfig(int workers, List<String> command, int maxTasksPerWorker, Duration startTimeout,
                                Duration restartBackoff, Duration maxRestartBackoff, Map<String, String> environment,
                                int maxFrameBytes) {

    /** Consecutive start-up failures after which the pool waits before trying again instead of looping. */
    public static final int MAX_START_FAILURES = 3;

    /**
     * Default of {@code maxRestartBackoff}: a broken worker command (a missing agent jar, a full disk) costs one
     * failed process start every 5 minutes at most, and the pool is back within 5 minutes of it being fixed.
     */
    public static final Duration DEFAULT_MAX_RESTART_BACKOFF = Duration.ofMinutes(5);

    public ProcessPoolConfig {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        if (maxTasksPerWorker < 0) {
            throw new IllegalArgumentException("maxTasksPerWorker must be 0 (never) or more, got " + maxTasksPerWorker);
        }
        if (maxRestartBackoff.compareTo(restartBackoff) < 0) {
            throw new IllegalArgumentException("maxRestartBackoff (" + maxRestartBackoff
                    + ") must be at least restartBackoff (" + restartBackoff + ")");
        }
        if (maxFrameBytes < 1024 || maxFrameBytes > Frames.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes must be between 1024 and " + Frames.MAX_FRAME_BYTES
                    + ", got " + maxFrameBytes);
        }
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
    }

    /**
     * With the default cap on the restart backoff (or {@code restartBackoff} when that is longer) and the largest
     * frame a worker reads.
     */
    public ProcessPoolConfig(int workers, List<String> command, int maxTasksPerWorker, Duration startTimeout,
                             Duration restartBackoff, Map<String, String> environment) {
        this(workers, command, maxTasksPerWorker, startTimeout, restartBackoff,
                restartBackoff.compareTo(DEFAULT_MAX_RESTART_BACKOFF) > 0 ? restartBackoff : DEFAULT_MAX_RESTART_BACKOFF,
                environment, Frames.MAX_FRAME_BYTES);
    }

    public ProcessPoolConfig withRestartBackoff(Duration initial, Duration max) {
        return new ProcessPoolConfig(workers, command, maxTasksPerWorker, startTimeout, initial, max, environment,
                maxFrameBytes);
    }

    public ProcessPoolConfig withMaxFrameBytes(int bytes) {
        return new ProcessPoolConfig(workers, command, maxTasksPerWorker, startTimeout, restartBackoff,
                maxRestartBackoff, environment, bytes);
    }
}
