package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Flags to the API's names, what a file is, exit codes and messages: the client's decisions without a service. */
class CliArgumentsTest {

    private static <T> T parse(Class<T> type, String... args) {
        CommandLine cli = FanoutCli.commandLine();
        CommandLine.ParseResult parsed = cli.parseArgs(args);
        return type.cast(parsed.subcommand().commandSpec().userObject());
    }

    @Test
    void mapsSubmitFlagsToTheApisOptionNames() {
        SubmitCommand submit = parse(SubmitCommand.class, "submit", "tasks.ndjson", "--max-concurrency", "50",
                "--task-timeout", "30s", "--retries", "2", "--cpu-backend", "threads", "--idempotency-key", "nightly-1",
                "--wait", "--progress", "NEVER", "--url", "http://h:9", "--api-key", "secret");
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("maxConcurrency", "50");
        expected.put("taskTimeout", "30s");
        expected.put("retries", "2");
        expected.put("cpuBackend", "threads");
        assertEquals(expected, submit.query());
        assertEquals("?maxConcurrency=50&taskTimeout=30s&retries=2&cpuBackend=threads",
                ApiClient.queryString(submit.query()));
        assertEquals(Map.of("Idempotency-Key", "nightly-1"), submit.headers());
        assertTrue(submit.wait);
        assertEquals(Progress.Mode.NEVER, submit.progress);
        assertEquals("http://h:9", submit.connection.url);
        assertEquals("secret", submit.connection.apiKey);
    }

    @Test
    void leavesOutWhatWasNotGiven() {
        SubmitCommand submit = parse(SubmitCommand.class, "submit", "-");
        assertEquals("", ApiClient.queryString(submit.query()));
        assertEquals(Map.of(), submit.headers());
        assertEquals(Progress.Mode.AUTO, submit.progress);
        assertEquals(System.getenv().getOrDefault("FANOUT_URL", "http://localhost:8080"), submit.connection.url);
    }

    @Test
    void mapsResultFiltersAndRedriveOverrides() {
        ResultsCommand results = parse(ResultsCommand.class, "results", "b1", "--state", "FAILED",
                "--error-type", "TIMEOUT", "--follow");
        assertEquals("?state=FAILED&errorType=TIMEOUT", ApiClient.queryString(results.filters()));
        assertTrue(results.follow);
        RedriveCommand redrive = parse(RedriveCommand.class, "redrive", "b1", "--retries", "3", "--task-timeout", "1m");
        assertEquals("{\"taskTimeout\":\"1m\",\"retries\":3}", redrive.body().toString());
        BatchesCommand batches = parse(BatchesCommand.class, "batches", "--state", "RUNNING");
        assertEquals("RUNNING", batches.state);
    }

    @Test
    void aRunningBatchsResultsWithoutFollowStopAtWhatItHasNow() throws Exception {
        JsonNode running = Json.mapper().readTree("{\"state\":\"RUNNING\",\"succeeded\":5,\"failed\":3,\"cancelled\":1,"
                + "\"stats\":{\"errors\":{\"TIMEOUT\":{\"count\":2}}}}");
        assertEquals(9, parse(ResultsCommand.class, "results", "b").available(running));
        assertEquals(3, parse(ResultsCommand.class, "results", "b", "--state", "FAILED").available(running));
        assertEquals(2, parse(ResultsCommand.class, "results", "b", "--error-type", "TIMEOUT").available(running));
        assertEquals(0, parse(ResultsCommand.class, "results", "b", "--error-type", "WORKER_CRASHED").available(running));
        JsonNode done = Json.mapper().readTree("{\"state\":\"FAILED\",\"succeeded\":5,\"failed\":3}");
        assertEquals(Long.MAX_VALUE, parse(ResultsCommand.class, "results", "b").available(done));
    }

    @Test
    void tellsNdjsonFromJsonByExtensionThenByTheFirstLineAndABareArrayByItsBracket() {
        assertEquals(TaskFile.Form.NDJSON, TaskFile.form("t.ndjson", bytes("{\"tasks\": []}")));
        assertEquals(TaskFile.Form.NDJSON, TaskFile.form("T.JSONL", bytes("")));
        assertEquals(TaskFile.Form.NDJSON, TaskFile.form("t.txt",
                bytes("\n{\"function\": \"sleep\", \"input\": {\"duration\": \"1s\"}}\n{\"function\": \"noop\"}\n")));
        assertEquals(TaskFile.Form.NDJSON, TaskFile.form(null, bytes("{\"function\": \"noop\"}")));
        assertEquals(TaskFile.Form.JSON, TaskFile.form(null, bytes("{\"tasks\": [{\"function\": \"noop\"}]}")));
        assertEquals(TaskFile.Form.JSON, TaskFile.form("b.json", bytes("{\n  \"tasks\": [\n    {\"function\": \"noop\"}]}")));
        assertEquals(TaskFile.Form.JSON, TaskFile.form(null, bytes("")));
        assertEquals(TaskFile.Form.ARRAY, TaskFile.form(null, bytes("[{\"function\": \"noop\"}]")));
        assertEquals(TaskFile.Form.ARRAY, TaskFile.form("tasks.json", bytes("\n  [\n  {\"function\": \"noop\"}\n]\n")));
        assertEquals(TaskFile.Form.ARRAY, TaskFile.form("tasks.ndjson", bytes("[]")), "never NDJSON, whatever its name");
    }

    @Test
    void exitsOneForFailedOrCancelledTasksOnly() throws Exception {
        assertEquals(0, ExitCodes.forBatch(Json.mapper().readTree("{\"state\":\"SUCCEEDED\",\"failed\":0}")));
        assertEquals(0, ExitCodes.forBatch(Json.mapper().readTree("{\"state\":\"RUNNING\",\"failed\":0}")));
        assertEquals(1, ExitCodes.forBatch(Json.mapper().readTree("{\"state\":\"FAILED\",\"failed\":2}")));
        assertEquals(1, ExitCodes.forBatch(Json.mapper().readTree("{\"state\":\"CANCELLED\",\"cancelled\":5}")));
        assertEquals(1, ExitCodes.forBatch(Json.mapper().readTree("{\"state\":\"RUNNING\",\"failed\":1}")));
    }

    @Test
    void usageErrorsExitTwo() {
        StringWriter err = new StringWriter();
        CommandLine cli = FanoutCli.commandLine();
        cli.setErr(new PrintWriter(err));
        assertEquals(2, cli.execute("submit"));
        assertTrue(err.toString().contains("Missing required parameter: 'FILE'"), err.toString());
        assertEquals(2, cli.execute("submit", "x.ndjson", "--progress", "sometimes"));
        assertEquals(2, cli.execute());
        assertEquals(2, cli.execute("stauts", "b1"));
    }

    @Test
    void apiErrorsExitTwoWithTheProblemsDetailAndFirstTaskError() {
        assertEquals("1 of 1 tasks are invalid; the first: ... [400]", ApiClient.problemMessage(400,
                "{\"status\":400,\"detail\":\"1 of 1 tasks are invalid; the first: ...\",\"errors\":"
                        + "[{\"index\":0,\"message\":\"tasks[0]: function: unknown function 'slep'\"}]}")
                .replace(" (tasks[0]: function: unknown function 'slep')", ""));
        assertTrue(ApiClient.problemMessage(400, "{\"detail\":\"bad\",\"errors\":[{\"message\":\"why\"}]}")
                .equals("bad (why) [400]"));
        assertEquals("HTTP 502: <html>bad gateway</html>", ApiClient.problemMessage(502, "<html>bad gateway</html>"));
        StringWriter err = new StringWriter();
        CommandLine cli = FanoutCli.commandLine();
        cli.setErr(new PrintWriter(err));
        assertEquals(2, cli.execute("status", "b1", "--url", "http://127.0.0.1:1"));
        assertTrue(err.toString().startsWith("fanout: cannot reach http://127.0.0.1:1"), err.toString());
    }

    @Test
    void offersCompletion() {
        StringWriter out = new StringWriter();
        CommandLine cli = FanoutCli.commandLine();
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("generate-completion"));
        assertTrue(out.toString().contains("submit"), "a bash completion script naming the commands");
        assertNull(parse(SubmitCommand.class, "submit", "f").output);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
