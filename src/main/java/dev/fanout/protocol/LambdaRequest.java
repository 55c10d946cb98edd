package dev.fanout.protocol;

import java.util.List;

/**
 * The Lambda worker's event (the contract deployments rely on):
 * {@code {"tasks": [{"id", "function", "input"}], "taskTimeout": "30s"}}. A task may also carry {@code "attempt"}
 * (1 when absent), which a function can read from its context, and the event {@code "protocol"}, the sender's
 * {@link Protocol#VERSION} (1 when absent).
 */
public record LambdaRequest(List<WireTask> tasks, String taskTimeout, Integer protocol) {
}
