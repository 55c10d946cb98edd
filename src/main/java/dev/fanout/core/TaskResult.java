package dev.fanout.core;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * The one result of one task. Failures are values: a failed task has {@code state} FAILED and an {@link TaskError}.
 *
 * @param attempts   how many attempts ran (0 when the task was cancelled before it started)
 * @param backend    where the last attempt ran: {@code virtual-thread}, {@code thread-pool}, {@code process:<pid>},
 *                   {@code lambda:<requestId>}; null when it never started
 * @param startedAt  start of the last attempt; null when it never started
 * @param durationMs duration of the last attempt
 */
@JsonPropertyOrder({"id", "state", "output", "error", "attempts", "backend", "startedAt", "durationMs"})
public record TaskResult(String id, TaskState state, JsonNode output, TaskError error, int attempts,
                         String backend, Instant startedAt, long durationMs) {

    public static TaskResult succeeded(String id, JsonNode output, int attempts, String backend,
                                       Instant startedAt, long durationMs) {
        return new TaskResult(id, TaskState.SUCCEEDED, output, null, attempts, backend, startedAt, durationMs);
    }

    public static TaskResult failed(String id, ErrorType type, String message, int attempts, String backend,
                                    Instant startedAt, long durationMs) {
        TaskState state = type == ErrorType.CANCELLED ? TaskState.CANCELLED : TaskState.FAILED;
        return new TaskResult(id, state, null, new TaskError(type, message), attempts, backend, startedAt, durationMs);
    }

    /** True when this result is a failure that a retry could turn into a success. */
    public boolean retriable() {
        return state == TaskState.FAILED && error != null && error.type().retriable();
    }

    public TaskResult withAttempts(int attempts) {
        return attempts == this.attempts ? this
                : new TaskResult(id, state, output, error, attempts, backend, startedAt, durationMs);
    }
}
