package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code fanout status ID}: GET /batches/{id}; exits 1 for a batch with failed or cancelled tasks. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Prints a batch's status, progress and statistics as JSON; exits 1 if tasks failed or were cancelled.")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    Connection connection;
    @Mixin
    BatchId batch;

    @Override
    public Integer call() {
        try (ApiClient api = connection.open()) {
            JsonNode status = api.get(batch.path(), Map.of());
            Output.print(connection.out(), status);
            return ExitCodes.forBatch(status);
        }
    }
}
