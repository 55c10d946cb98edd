package dev.fanout.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.core.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.http.HttpRequest;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code fanout redrive ID}: POST /batches/{id}/redrive, with the overrides the API allows. */
@Command(name = "redrive", mixinStandardHelpOptions = true,
        description = "Runs the FAILED and CANCELLED tasks of a finished batch again, keeping its successes.")
final class RedriveCommand implements Callable<Integer> {
    @Mixin
    Connection connection;
    @Mixin
    BatchId batch;
    @Option(names = "--max-concurrency", paramLabel = "N")
    Integer maxConcurrency;
    @Option(names = "--task-timeout", paramLabel = "DURATION")
    String taskTimeout;
    @Option(names = "--retries", paramLabel = "N")
    Integer retries;

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

    @Override
    public Integer call() {
        try (ApiClient api = connection.open()) {
            Output.print(connection.out(), api.post(batch.path() + "/redrive", Map.of(), Map.of(),
                    TaskFile.JSON, HttpRequest.BodyPublishers.ofString(body().toString())));
            return ExitCodes.OK;
        }
    }
}
