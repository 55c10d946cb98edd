package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code fanout results ID}: a batch's results as NDJSON, in completion order. Without {@code --follow} it prints
 * the results the batch had when asked (all of a finished batch) and stops; with it, it stays to the batch's end.
 * Exits as {@code status} does: 1 once the batch has failed or cancelled tasks.
 */
@Command(name = "results", mixinStandardHelpOptions = true,
        description = {"Prints a batch's results as NDJSON (completion order); --follow stays until the batch ends.",
                "Exits 1 if the batch has failed or cancelled tasks (at its end with --follow), as status does."})
final class ResultsCommand implements Callable<Integer> {
    @Mixin
    Connection connection;
    @Mixin
    BatchId batch;
    @Option(names = "--follow", description = "wait for the results still to come, to the batch's end")
    boolean follow;
    @Option(names = "--state", paramLabel = "STATE", description = "only results in SUCCEEDED, FAILED or CANCELLED")
    String state;
    @Option(names = "--error-type", paramLabel = "TYPE", description = "only results failed with this error type, "
            + "e.g. TIMEOUT, FUNCTION_ERROR")
    String errorType;

    Map<String, String> filters() {
        return ApiClient.query("state", upper(state), "errorType", upper(errorType));
    }

    @Override
    public Integer call() {
        PrintWriter out = connection.out();
        PrintWriter err = connection.err();
        try (ApiClient api = connection.open()) {
            JsonNode status = api.get(batch.path(), Map.of());
            long limit = follow ? Long.MAX_VALUE : available(status);
            if (limit > 0) {
                JsonNode end = ResultFollower.of(api, batch.id, filters(), m -> err.println("fanout: " + m))
                        .follow(out::println, limit);
                status = end == null ? status : end;
            }
            out.flush();
            return ExitCodes.forBatch(status);
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
                + status.path("cancelled").asLong() : status.path(state.toLowerCase(Locale.ROOT)).asLong();
        if (errorType != null) {
            n = Math.min(n, status.path("stats").path("errors").path(upper(errorType)).path("count").asLong());
        }
        return n;
    }

    private static String upper(String value) {
        return value == null ? null : value.toUpperCase(Locale.ROOT);
    }
}
