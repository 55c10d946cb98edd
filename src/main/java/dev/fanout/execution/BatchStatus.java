package dev.fanout.execution;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;

/** A snapshot of a batch's progress, as {@code GET /batches/{id}} shows it. */
@JsonPropertyOrder({"id", "state", "total", "pending", "running", "succeeded", "failed", "cancelled",
        "createdAt", "finishedAt"})
public record BatchStatus(String id, BatchState state, int total, int pending, int running, int succeeded,
                          int failed, int cancelled, Instant createdAt, Instant finishedAt) {
}
