package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code fanout submit FILE|-}: POST /batches with the file as its body and the options as query parameters. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Submits a batch: FILE (- for stdin) is NDJSON, one task per line, JSON {\"tasks\": [...]} "
                + "or a JSON array of tasks.",
                "Prints the batch id; with --wait follows it to its end, writing every result as NDJSON."})
final class SubmitCommand implements Callable<Integer> {
    @Mixin
    Connection connection;
    /** What {@code -} reads; a test's own. */
    InputStream stdin = System.in;

    @Parameters(index = "0", paramLabel = "FILE", description = "the tasks; - reads stdin")
    String file;
    @Mixin
    RunOptions run;
    @Option(names = "--cpu-backend", paramLabel = "BACKEND", description = "processes, lambda or threads")
    String cpuBackend;
    @Option(names = "--idempotency-key", paramLabel = "KEY", description = "the same key answers the same batch")
    String idempotencyKey;
    @Option(names = "--wait", description = "follow the batch to its end; exit 1 if any task failed or was cancelled")
    boolean wait;
    @Option(names = "--output", paramLabel = "FILE", description = "with --wait: the results here instead of stdout")
    Path output;
    @Option(names = "--progress", paramLabel = "WHEN", defaultValue = "auto",
            description = "with --wait, progress on stderr: auto (a bar on a terminal, a line every few seconds "
                    + "elsewhere), always (a bar), never")
    Progress.Mode progress;
    @Option(names = "--progress-interval", paramLabel = "SECONDS", defaultValue = "5", hidden = true)
    double progressInterval;

    /** The options under the API's names, as query parameters (null: not given). */
    Map<String, String> query() {
        Map<String, String> q = new LinkedHashMap<>();
        run.addTo(q);
        q.put("cpuBackend", cpuBackend);
        return q;
    }

    Map<String, String> headers() {
        return idempotencyKey == null ? Map.of() : Map.of("Idempotency-Key", idempotencyKey);
    }

    @Override
    public Integer call() throws Exception {
        TaskFile tasks = TaskFile.open(file, stdin);
        PrintWriter out = connection.out();
        PrintWriter err = connection.err();
        try (ApiClient api = connection.open()) {
            JsonNode status = api.post("/batches", query(), headers(), tasks.contentType(), tasks.body());
            String id = status.path("id").asText();
            if (!wait) {
                out.println(id);
                out.flush();
                return ExitCodes.OK;
            }
            err.println("fanout: batch " + id + " (" + status.path("total").asLong() + " tasks)");
            Progress bar = new Progress(err, progress, Progress.stderrIsTerminal(), progressInterval, System::nanoTime);
            JsonNode end;
            if (output == null) {
                end = new BatchWatch(api, id, bar, err).run(out);
            } else {
                try (PrintWriter file = new PrintWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8))) {
                    end = new BatchWatch(api, id, bar, err).run(file);
                }
            }
            return ExitCodes.forBatch(end);
        }
    }
}
