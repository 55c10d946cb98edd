package dev.fanout.execution;

import java.time.Duration;

/**
 * The per-batch options of the API, validated.
 *
 * @param maxConcurrency tasks of this batch in flight at once (dispatched and not finished)
 * @param taskTimeout    limit of one attempt
 * @param retries        further attempts after a retriable failure (FUNCTION_ERROR, TIMEOUT, WORKER_CRASHED)
 * @param failFast       cancel the rest of the batch at the first failed task
 * @param cpuBackend     backend of CPU functions
 * @param chunkSize      tasks per chunk on chunking backends; 0 chooses automatically
 */
public record BatchOptions(int maxConcurrency, Duration taskTimeout, int retries, boolean failFast,
                           String cpuBackend, int chunkSize) {
}
