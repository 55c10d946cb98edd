package dev.fanout.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

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
    @Mixin
    RunOptions run;

    ObjectNode body() {
        return run.body();
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
