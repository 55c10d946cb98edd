package dev.fanout.execution.batch;

import java.time.Duration;

/**
 * The per-batch options of the API, validated.
 *
 * @param maxConcurrency             tasks of this batch in flight at once (dispatched and not finished)
 * @param taskTimeout                limit of one attempt
 * @param retries                    further attempts after a retriable failure (FUNCTION_ERROR, TIMEOUT,
 *                                   WORKER_CRASHED, BACKEND_ERROR)
 * @param failFast                   cancel the rest of the batch at the first failed task (a tolerated count of 0)
 * @param cpuBackend                 backend of CPU functions
 * @param chunkSize                  tasks per chunk on chunking backends; 0 chooses automatically
 * @param toleratedFailureCount      once more tasks failed, the rest is cancelled; -1 for no limit
 * @param toleratedFailurePercentage the same as a percentage of the batch's tasks; -1 for no limit
 */
public record BatchOptions(int maxConcurrency, Duration taskTimeout, int retries, boolean failFast,
                           String cpuBackend, int chunkSize, int toleratedFailureCount,
                           double toleratedFailurePercentage) {

    public BatchOptions(int maxConcurrency, Duration taskTimeout, int retries, boolean failFast, String cpuBackend,
                        int chunkSize) {
        this(maxConcurrency, taskTimeout, retries, failFast, cpuBackend, chunkSize, -1, -1);
    }

    /** How many failed tasks a batch of {@code total} tolerates before the rest is cancelled. */
    public int toleratedFailures(int total) {
        int tolerated = Integer.MAX_VALUE;
        if (failFast) {
            tolerated = 0;
        }
        if (toleratedFailureCount >= 0) {
            tolerated = Math.min(tolerated, toleratedFailureCount);
        }
        if (toleratedFailurePercentage >= 0) {
            tolerated = Math.min(tolerated, (int) Math.floor(total * toleratedFailurePercentage / 100.0));
        }
        return tolerated;
    }

    /** The limits in force, as a message says them. */
    public String tolerance() {
        StringBuilder s = new StringBuilder();
        if (toleratedFailureCount >= 0) {
            s.append("toleratedFailureCount ").append(toleratedFailureCount);
        }
        if (toleratedFailurePercentage >= 0) {
            s.append(s.isEmpty() ? "" : ", ").append("toleratedFailurePercentage ").append(toleratedFailurePercentage);
        }
        return s.isEmpty() ? "failFast" : s.toString();
    }

    /** As the store keeps it. */
    public String json() {
        try {
            return dev.fanout.core.Json.mapper().writeValueAsString(this);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("options always serialise", e);
        }
    }

    /** As the store kept it. */
    public static BatchOptions fromJson(String json) {
        try {
            return dev.fanout.core.Json.mapper().readValue(json, BatchOptions.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored options are not readable: " + e.getMessage(), e);
        }
    }

    /** The same options with a redrive's overrides (null: keep). */
    public BatchOptions with(Duration newTimeout, Integer newRetries, Integer newMaxConcurrency) {
        return new BatchOptions(newMaxConcurrency != null ? newMaxConcurrency : maxConcurrency,
                newTimeout != null ? newTimeout : taskTimeout, newRetries != null ? newRetries : retries, failFast,
                cpuBackend, chunkSize, toleratedFailureCount, toleratedFailurePercentage);
    }
}
