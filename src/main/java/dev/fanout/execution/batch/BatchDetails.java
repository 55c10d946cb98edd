package dev.fanout.execution.batch;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

import java.util.List;
import java.util.Map;

/**
 * What {@code GET /batches/{id}} shows: the status, how far the batch got and how fast, and what its tasks took.
 * Computed from {@link BatchStats}, kept as results come in, never by reading the results again.
 */
@JsonPropertyOrder({"status", "progress", "stats"})
public record BatchDetails(@JsonUnwrapped BatchStatus status, Progress progress, Stats stats) {

    /**
     * @param done           tasks with a final result (visible: stored)
     * @param tasksPerSecond results in about the last 10 s, per second (over the batch's age while it is younger)
     * @param etaSeconds     {@code (total - done) / tasksPerSecond} while the batch runs and the rate is above 0; null
     *                       otherwise
     */
    @JsonPropertyOrder({"done", "total", "tasksPerSecond", "etaSeconds"})
    public record Progress(int done, int total, double tasksPerSecond, Long etaSeconds) {
    }

    /**
     * @param durationMs  the last attempt's duration of tasks that ran to a result (SUCCEEDED or FAILED)
     * @param queueWaitMs from the batch's acceptance to the start of tasks whose result came from their first attempt
     * @param errors      by error type: how many results, and up to 3 distinct messages
     * @param durationHistogram the same durations counted in buckets, four per power of two, empty ones left out
     */
    @JsonPropertyOrder({"durationMs", "queueWaitMs", "errors", "durationHistogram"})
    public record Stats(Percentiles durationMs, Percentiles queueWaitMs, Map<String, Errors> errors,
                        List<Bucket> durationHistogram) {
    }

    /** {@code count} durations from {@code fromMs} (inclusive) to {@code toMs} (exclusive). */
    @JsonPropertyOrder({"fromMs", "toMs", "count"})
    public record Bucket(long fromMs, long toMs, long count) {
    }

    /** Percentiles within 1/32 of the exact ones ({@link dev.fanout.core.LogHistogram}); null when count is 0. */
    @JsonPropertyOrder({"count", "p50", "p95", "p99", "max"})
    public record Percentiles(long count, Long p50, Long p95, Long p99, Long max) {
    }

    @JsonPropertyOrder({"count", "samples"})
    public record Errors(long count, List<String> samples) {
    }
}
