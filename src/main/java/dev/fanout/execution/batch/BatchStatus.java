package dev.fanout.execution.batch;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;

/**
 * A snapshot of a batch's progress, as {@code GET /batches/{id}} shows it.
 *
 * @param owner the name of the API key it belongs to; absent for a batch stored before keys had names
 */
@JsonPropertyOrder({"id", "owner", "state", "total", "pending", "running", "succeeded", "failed", "cancelled",
        "createdAt", "finishedAt"})
public record BatchStatus(String id, BatchState state, int total, int pending, int running, int succeeded,
                          int failed, int cancelled, Instant createdAt, Instant finishedAt,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String owner) {
}
