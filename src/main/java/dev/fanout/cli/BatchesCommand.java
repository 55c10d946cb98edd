package dev.fanout.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code fanout batches}: GET /batches, newest first, printed as the API answers it, so that each batch's
 * {@code owner} (the name of the key that submitted it) is there without a column to keep in step with the API.
 */
@Command(name = "batches", mixinStandardHelpOptions = true, description = {
        "Lists batches, newest first, as JSON, each with its owner (the name of the key that submitted it).",
        "A key sees its own batches; an admin key sees every key's."})
final class BatchesCommand implements Callable<Integer> {
    @Mixin
    Connection connection;
    @Option(names = "--state", paramLabel = "STATE", description = "RUNNING, SUCCEEDED, FAILED or CANCELLED")
    String state;
    @Option(names = "--limit", paramLabel = "N")
    Integer limit;
    @Option(names = "--offset", paramLabel = "N")
    Integer offset;

    @Override
    public Integer call() {
        try (ApiClient api = connection.open()) {
            Output.print(connection.out(), api.get("/batches", ApiClient.query(
                    "state", state == null ? null : state.toUpperCase(Locale.ROOT),
                    "limit", limit == null ? null : limit.toString(), "offset", offset == null ? null : offset.toString())));
            return ExitCodes.OK;
        }
    }
}
