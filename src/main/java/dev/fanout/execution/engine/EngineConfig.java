package dev.fanout.execution.engine;

import java.time.Duration;

/**
 * Server-wide settings of the engine.
 *
 * @param ioMaxConcurrency   IO tasks in flight across all batches (a batch's maxConcurrency applies as well)
 * @param retention          how long a finished batch and its results stay retrievable
 * @param maxRetainedBatches finished batches kept at most; the oldest are dropped first
 * @param retryBackoff       wait before the first retry; doubled for each further one
 * @param maxRetryBackoff    the longest wait between retries
 * @param maxRunningBatches  batches running at once at most; beyond, submissions are refused
 * @param maxRetainedTasks   tasks of finished batches kept at most; the oldest batches are dropped first
 * @param leaseDuration      how long a batch stays this instance's without a renewal (a shared store)
 * @param maxRetainedBytes   estimated heap bytes of the results of finished batches kept at most (one http result may
 *                           keep 32 KiB where a sleep result keeps a number); the oldest batches are dropped first
 */
public record EngineConfig(int ioMaxConcurrency, Duration retention, int maxRetainedBatches,
                           Duration retryBackoff, Duration maxRetryBackoff, int maxRunningBatches,
                           long maxRetainedTasks, long maxRetainedBytes, Duration leaseDuration) {

    public EngineConfig(int ioMaxConcurrency, Duration retention, int maxRetainedBatches, Duration retryBackoff,
                        Duration maxRetryBackoff, int maxRunningBatches, long maxRetainedTasks, long maxRetainedBytes) {
        this(ioMaxConcurrency, retention, maxRetainedBatches, retryBackoff, maxRetryBackoff, maxRunningBatches,
                maxRetainedTasks, maxRetainedBytes, Duration.ofSeconds(15));
    }

    public EngineConfig(int ioMaxConcurrency, Duration retention, int maxRetainedBatches, Duration retryBackoff,
                        Duration maxRetryBackoff) {
        this(ioMaxConcurrency, retention, maxRetainedBatches, retryBackoff, maxRetryBackoff, 1000, Long.MAX_VALUE,
                Long.MAX_VALUE, Duration.ofSeconds(15));
    }
}
