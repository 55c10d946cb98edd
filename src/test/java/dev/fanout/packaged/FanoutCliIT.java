package dev.fanout.packaged;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command-line client as users run it: {@code fanout ...} of the packaged artifact as an OS process of its own,
 * against the packaged service with API keys on, its answers read from its exit code, stdout and stderr.
 */
class FanoutCliIT {
    private static final String KEY = "cli-it-key";
    private static final Pattern BATCH = Pattern.compile("fanout: batch (\\S+) \\(");
    @TempDir
    static Path dir;
    private static PackagedService service;

    /** What one run of the client left behind. */
    record Run(int exit, String out, String err) {
        List<JsonNode> lines() {
            return out.lines().filter(l -> !l.isBlank()).map(l -> {
                try {
                    return Json.mapper().readTree(l);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        }

        String batchId() {
            Matcher m = BATCH.matcher(err);
            assertTrue(m.find(), "the batch id on stderr: " + err);
            return m.group(1);
        }
    }

    @BeforeAll
    static void start() {
        service = PackagedService.onSqlite("fanout-cli", dir, "-Dfanout.auth.enabled=true",
                "-Dfanout.auth.api-keys=" + KEY, "-Dfanout.http.allow-private-addresses=true").start();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    private static int runs;

    private static Run fanout(Map<String, String> env, String... arguments) throws Exception {
        List<String> args = new ArrayList<>(List.of("fanout"));
        args.addAll(List.of(arguments));
        int n = ++runs;
        File out = new File("target/fanout-cli-" + n + ".out");
        File err = new File("target/fanout-cli-" + n + ".err");
        ProcessBuilder pb = new ProcessBuilder(Artifact.command(List.of(), args.toArray(String[]::new)))
                .redirectOutput(out).redirectError(err).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().remove("FANOUT_URL");
        pb.environment().remove("FANOUT_API_KEY");
        pb.environment().put("FANOUT_URL", "http://127.0.0.1:" + service.port());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("fanout " + String.join(" ", arguments) + " did not finish");
        }
        return new Run(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
    }

    private static Run fanout(String... arguments) throws Exception {
        return fanout(Map.of("FANOUT_API_KEY", KEY), arguments);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void waitsForAMixedBatchWritingEveryResultOnceAndExitsOneForItsFailures() throws Exception {
        int closed = closedPort();
        StringBuilder tasks = new StringBuilder();
        Set<String> failing = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            if (i % 6 == 5) {
                failing.add("fail-" + i); // connection refused, at run time: FUNCTION_ERROR
                tasks.append("{\"id\": \"fail-").append(i).append("\", \"function\": \"http\", \"input\": {\"url\": "
                        + "\"http://127.0.0.1:").append(closed).append("/\"}}\n");
            } else if (i % 2 == 0) {
                tasks.append("{\"id\": \"sleep-").append(i).append("\", \"function\": \"sleep\", \"input\": "
                        + "{\"duration\": \"").append(20 + i % 7 * 30).append("ms\"}}\n");
            } else {
                tasks.append("{\"id\": \"primes-").append(i).append("\", \"function\": \"primes\", \"input\": "
                        + "{\"limit\": 20000}}\n");
            }
        }
        Path file = dir.resolve("mixed.ndjson");
        Files.writeString(file, tasks);

        Run run = fanout("submit", file.toString(), "--wait", "--max-concurrency", "20", "--retries", "0");

        assertEquals(1, run.exit(), run.err());
        List<JsonNode> results = run.lines();
        List<String> ids = results.stream().map(r -> r.path("id").asText()).toList();
        assertEquals(300, ids.size(), "one line per result");
        assertEquals(300, new HashSet<>(ids).size(), "no result twice");
        assertEquals(failing, results.stream().filter(r -> r.path("state").asText().equals("FAILED"))
                .map(r -> r.path("id").asText()).collect(Collectors.toSet()));
        assertTrue(results.stream().filter(r -> !failing.contains(r.path("id").asText()))
                .allMatch(r -> r.path("state").asText().equals("SUCCEEDED")), run.out());
        assertTrue(run.err().contains("300/300 100%"), "the progress on stderr: " + run.err());
        assertTrue(run.err().contains("50 failed FAILED"), run.err());

        Run failed = fanout("results", run.batchId(), "--state", "FAILED");
        assertEquals(0, failed.exit(), failed.err());
        assertEquals(failing, failed.lines().stream().map(r -> r.path("id").asText()).collect(Collectors.toSet()));
        assertEquals(50, failed.lines().size());
        assertTrue(failed.lines().stream().allMatch(r -> r.path("error").path("type").asText().equals("FUNCTION_ERROR")),
                failed.out());

        Run status = fanout("status", run.batchId());
        assertEquals(1, status.exit(), "a finished batch with failures");
        assertEquals("FAILED", Json.mapper().readTree(status.out()).path("state").asText());
    }

    @Test
    void aBatchThatAllSucceedsExitsZero() throws Exception {
        Path file = dir.resolve("ok.json");
        Files.writeString(file, "{\"tasks\": [" + "{\"function\": \"sleep\", \"input\": {\"duration\": \"50ms\"}},"
                .repeat(19) + "{\"function\": \"sha256\", \"input\": {\"data\": \"hello\"}}]}");
        Path output = dir.resolve("ok-results.ndjson");

        Run run = fanout("submit", file.toString(), "--wait", "--output", output.toString(), "--progress", "never");

        assertEquals(0, run.exit(), run.err());
        assertEquals("", run.out(), "the results went to --output");
        assertEquals(20, Files.readAllLines(output).size());
        assertTrue(!run.err().contains("/20 "), "no progress with --progress never: " + run.err());

        Run submitted = fanout("submit", file.toString());
        assertEquals(0, submitted.exit(), submitted.err());
        String id = submitted.out().strip();
        assertTrue(id.matches("[0-9a-f-]{8,}"), "the batch id alone on stdout: " + submitted.out());
        Run follow = fanout("results", id, "--follow");
        assertEquals(20, follow.lines().size(), follow.err());
        assertEquals(0, fanout("status", id).exit());
        assertEquals(0, fanout("functions").exit());
        assertTrue(fanout("batches", "--state", "SUCCEEDED").out().contains(id));
    }

    @Test
    void aBadRequestExitsTwoWithTheProblemsDetail() throws Exception {
        Path file = dir.resolve("bad.ndjson");
        Files.writeString(file, "{\"function\": \"slep\"}\n");
        Run run = fanout("submit", file.toString(), "--wait");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("unknown function 'slep'"), run.err());
        assertEquals("", run.out());

        Path good = dir.resolve("good.ndjson");
        Files.writeString(good, "{\"function\": \"noop\"}\n");
        Run badOption = fanout("submit", good.toString(), "--max-concurrency", "0");
        assertEquals(2, badOption.exit());
        assertTrue(badOption.err().contains("maxConcurrency"), badOption.err());

        Run unknown = fanout("status", "no-such-batch");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("[404]"), unknown.err());
    }

    @Test
    void aMissingOrWrongApiKeyExitsTwoWithTheServicesDetail() throws Exception {
        Run none = fanout(Map.of(), "functions");
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("send an API key as 'Authorization: Bearer <key>'"), none.err());
        assertTrue(none.err().contains("[401]"), none.err());

        Run wrong = fanout("functions", "--api-key", "wrong");
        assertEquals(2, wrong.exit());
        assertTrue(wrong.err().contains("this API key is not accepted"), wrong.err());
        assertTrue(wrong.err().contains("[403]"), wrong.err());
        assertTrue(!wrong.err().contains("Bearer wrong") && !wrong.err().contains(KEY), "no key echoed: " + wrong.err());
    }
}
