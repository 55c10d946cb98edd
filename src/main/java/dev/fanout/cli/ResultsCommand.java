package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code fanout results ID}: a batch's results as NDJSON, in completion order. Without {@code --follow} it prints
 * the results the batch had when asked (all of a finished batch) and stops; with it, it stays to the batch's end.
 */
@Command(name = "results", mixinStandardHelpOptions = true,
        description = "Prints a batch's results as NDJSON (completion order); --follow stays until the batch ends.")
final class ResultsCommand implements Callable<Integer> {
    @Mixin
    Connection connection;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "ID")
    String id;
    @Option(names = "--follow", description = "wait for the results still to come, to the batch's end")
    boolean follow;
    @Option(names = "--state", paramLabel = "STATE", description = "only results in SUCCEEDED, FAILED or CANCELLED")
    String state;
    @Option(names = "--error-type", paramLabel = "TYPE", description = "only results failed with this error type, "
            + "e.g. TIMEOUT, FUNCTION_ERROR")
    String errorType;

    Map<String, String> filters() {
        return ApiClient.query("state", state, "errorType", errorType);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (ApiClient api = connection.open()) {
            long limit = follow ? Long.MAX_VALUE : available(api.get("/batches/" + id, Map.of()));
            if (limit > 0) {
                new ResultFollower(api, id, filters(), 10, Duration.ofSeconds(1), m -> err.println("fanout: " + m))
                        .follow(out::println, limit);
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    /**
     * How many results the filters let through in this status: the stream then stops there even while the batch
     * runs on. A finished batch's stream ends by itself.
     */
    long available(JsonNode status) {
        if (!status.path("state").asText().equals("RUNNING")) {
            return Long.MAX_VALUE;
        }
        long n = state == null ? status.path("succeeded").asLong() + status.path("failed").asLong()
                + status.path("cancelled").asLong() : status.path(state.toLowerCase(java.util.Locale.ROOT)).asLong();
        if (errorType != null) {
            n = Math.min(n, status.path("stats").path("errors").path(errorType).path("count").asLong());
        }
        return n;
    }
}
