package dev.fanout.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.core.Json;
import picocli.CommandLine.Option;

import java.util.Map;

/**
 * How a batch's tasks run, as a picocli mixin: the options {@code submit} sends as query parameters and
 * {@code redrive} as its body, under the API's names. Null: not given, the service's default (or the batch's own).
 */
final class RunOptions {
    @Option(names = "--max-concurrency", paramLabel = "N", description = "tasks of this batch in flight at once")
    Integer maxConcurrency;
    @Option(names = "--task-timeout", paramLabel = "DURATION", description = "limit of one attempt: 250ms, 30s, 5m")
    String taskTimeout;
    @Option(names = "--retries", paramLabel = "N", description = "further attempts of a failed task")
    Integer retries;

    /** Puts the given options into {@code query}, as text. */
    void addTo(Map<String, String> query) {
        query.put("maxConcurrency", maxConcurrency == null ? null : maxConcurrency.toString());
        query.put("taskTimeout", taskTimeout);
        query.put("retries", retries == null ? null : retries.toString());
    }

    /** The given options as a JSON object. */
    ObjectNode body() {
        ObjectNode b = Json.mapper().createObjectNode();
        if (maxConcurrency != null) {
            b.put("maxConcurrency", maxConcurrency);
        }
        if (taskTimeout != null) {
            b.put("taskTimeout", taskTimeout);
        }
        if (retries != null) {
            b.put("retries", retries);
        }
        return b;
    }
}
