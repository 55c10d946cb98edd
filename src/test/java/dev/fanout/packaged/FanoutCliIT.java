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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The command-line client as users run it: {@code fanout ...} of the packaged artifact as an OS process of its own,
 * against the packaged service with API keys on, its answers read from its exit code, stdout and stderr.
 */
class FanoutCliIT {
    /** The legacy list's key ({@code api-keys[0]}), which most cases use. */
    private static final String KEY = "cli-it-key";
    /** Named keys: two submitters, an admin, and a submitter with one batch running at most. */
    private static final String ALICE = "cli-it-alice";
    private static final String BOB = "cli-it-bob";
    private static final String ROOT = "cli-it-root";
    private static final String SOLO = "cli-it-solo";
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
                "-Dfanout.auth.api-keys=" + KEY, "-Dfanout.auth.keys.alice.key=" + ALICE,
                "-Dfanout.auth.keys.bob.key=" + BOB, "-Dfanout.auth.keys.root.key=" + ROOT,
                "-Dfanout.auth.keys.root.role=admin", "-Dfanout.auth.keys.solo.key=" + SOLO,
                "-Dfanout.auth.keys.solo.max-running=1", "-Dfanout.http.allow-private-addresses=true").start();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    /** A run of the client under way: its stdout and stderr as far as written, its end awaited. */
    record Running(Process process, File out, File err, String what) implements AutoCloseable {
        String outSoFar() throws IOException {
            return Files.readString(out.toPath());
        }

        String errSoFar() throws IOException {
            return Files.readString(err.toPath());
        }

        Run end() throws Exception {
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("fanout " + what + " did not finish: " + errSoFar());
            }
            return new Run(process.exitValue(), outSoFar(), errSoFar());
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private static int runs;

    /** Starts {@code fanout ARGUMENTS} with FANOUT_URL {@code url} and {@code env} (FANOUT_API_KEY or not). */
    private static Running start(String url, Map<String, String> env, String... arguments) throws IOException {
        List<String> args = new ArrayList<>(List.of("fanout"));
        args.addAll(List.of(arguments));
        int n = ++runs;
        File out = new File("target/fanout-cli-" + n + ".out");
        File err = new File("target/fanout-cli-" + n + ".err");
        ProcessBuilder pb = new ProcessBuilder(Artifact.command(List.of(), args.toArray(String[]::new)))
                .redirectOutput(out).redirectError(err).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().remove("FANOUT_URL");
        pb.environment().remove("FANOUT_API_KEY");
        pb.environment().put("FANOUT_URL", url);
        pb.environment().putAll(env);
        return new Running(pb.start(), out, err, String.join(" ", arguments));
    }

    private static Run fanout(Map<String, String> env, String... arguments) throws Exception {
        return start(url(), env, arguments).end();
    }

    private static Run fanout(String... arguments) throws Exception {
        return as(KEY, arguments);
    }

    /** {@code fanout ARGUMENTS} with FANOUT_API_KEY {@code key}. */
    private static Run as(String key, String... arguments) throws Exception {
        return fanout(Map.of("FANOUT_API_KEY", key), arguments);
    }

    private static String url() {
        return "http://127.0.0.1:" + service.port();
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
        assertTrue(!run.err().contains("\r"), "stderr is a file: progress as lines, never redrawn: " + run.err());

        Run failed = fanout("results", run.batchId(), "--state", "failed");
        assertEquals(1, failed.exit(), "the batch has failed tasks: " + failed.err());
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
        assertEquals(0, follow.exit(), "all succeeded: " + follow.err());
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
        assertTrue(none.err().contains("pass --api-key KEY or set FANOUT_API_KEY"), "how to give one: " + none.err());

        Run wrong = fanout("functions", "--api-key", "not-a-key-7f3a");
        assertEquals(2, wrong.exit());
        assertTrue(wrong.err().contains("this API key is not accepted"), wrong.err());
        assertTrue(wrong.err().contains("[401]"), "a key not (or no longer) configured is unauthenticated: "
                + wrong.err());
        assertTrue(wrong.err().contains("may have been removed") && wrong.err().contains("--api-key KEY or "
                + "FANOUT_API_KEY"), "what the client was given and how to give another: " + wrong.err());
        assertTrue(!wrong.err().contains("not-a-key-7f3a") && !wrong.err().contains(KEY), "no key echoed: "
                + wrong.err());
    }

    /**
     * Each key's batches are its own: bob cannot see, follow, cancel nor redrive alice's running batch (each answer
     * is the one for an id nobody has, so that he does not even learn that it exists), nor find it in his list;
     * root, an admin, lists it with its owner. Alice's batch then ends as if bob had never tried.
     */
    @Test
    void anotherKeysBatchIsNotFoundWhileAnAdminSeesItWithItsOwner() throws Exception {
        try (HttpGates gates = new HttpGates()) {
            Path file = dir.resolve("alice.ndjson");
            Files.writeString(file, gates.task("a1", 1) + "\n" + gates.task("a2", 0) + "\n");
            Run submitted = as(ALICE, "submit", file.toString());
            assertEquals(0, submitted.exit(), submitted.err());
            String id = submitted.out().strip();

            for (String command : List.of("status", "results", "cancel", "redrive")) {
                Run bob = as(BOB, command, id);
                assertEquals(2, bob.exit(), command + ": " + bob.err());
                assertTrue(bob.err().contains("no batch with id '" + id + "'") && bob.err().contains("[404]"),
                        command + ": " + bob.err());
                assertEquals("", bob.out(), command);
            }
            Run unknown = as(BOB, "status", "no-such-batch");
            assertEquals(unknown.err().replace("no-such-batch", id), as(BOB, "status", id).err(),
                    "the same answer as for an id nobody has");
            Run bobs = as(BOB, "batches");
            assertEquals(0, bobs.exit(), bobs.err());
            assertEquals(0, Json.mapper().readTree(bobs.out()).path("total").asInt(), "bob has none: " + bobs.out());
            assertTrue(!bobs.out().contains(id), bobs.out());

            Run all = as(ROOT, "batches", "--state", "RUNNING");
            assertEquals(0, all.exit(), all.err());
            JsonNode listed = null;
            for (JsonNode b : Json.mapper().readTree(all.out()).path("batches")) {
                listed = b.path("id").asText().equals(id) ? b : listed;
            }
            assertTrue(listed != null, "the admin lists alice's batch: " + all.out());
            assertEquals("alice", listed.path("owner").asText(), all.out());

            gates.open(1);
            Run followed = as(ALICE, "results", id, "--follow");
            assertEquals(0, followed.exit(), "bob's cancel did not take: " + followed.err());
            assertEquals(2, followed.lines().size(), followed.out());
            Run status = as(ALICE, "status", id);
            assertEquals(0, status.exit(), status.err());
            JsonNode own = Json.mapper().readTree(status.out());
            assertEquals("SUCCEEDED", own.path("state").asText(), status.out());
            assertEquals("alice", own.path("owner").asText(), status.out());
        }
    }

    /**
     * A key allowed one running batch: a second submit while the first runs is refused at once, exit 2, naming the
     * quota's setting and when to try again, and nothing is stored; once the first has ended, the same submit is
     * accepted.
     */
    @Test
    void aSubmitPastTheKeysQuotaExitsTwoNamingTheQuotaAndWhenToRetry() throws Exception {
        try (HttpGates gates = new HttpGates()) {
            Path held = dir.resolve("solo-held.ndjson");
            Files.writeString(held, gates.task("held", 1) + "\n");
            Path quick = dir.resolve("solo-quick.ndjson");
            Files.writeString(quick, "{\"function\": \"noop\"}\n");
            Run first = as(SOLO, "submit", held.toString());
            assertEquals(0, first.exit(), first.err());

            Run second = as(SOLO, "submit", quick.toString(), "--wait");
            assertEquals(2, second.exit(), second.err());
            assertTrue(second.err().contains("fanout.auth.keys.solo.max-running"), "the quota: " + second.err());
            assertTrue(Pattern.compile("retry after \\d+ s").matcher(second.err()).find()
                    && second.err().contains("[429]"), "when to come back: " + second.err());
            assertEquals("", second.out());
            Run list = as(SOLO, "batches");
            assertEquals(1, Json.mapper().readTree(list.out()).path("total").asInt(), "nothing stored: " + list.out());

            gates.open(1);
            // the first batch's end reaches the store just after its last result: the refusal lasts until then
            Run third = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                    .until(() -> as(SOLO, "submit", quick.toString(), "--wait"), r -> r.exit() != 2
                            || !r.err().contains("max-running"));
            assertEquals(0, third.exit(), "accepted once the first has ended: " + third.err());
        }
    }

    @Test
    void submitsABareJsonArrayOfTasksWithItsFlagsApplied() throws Exception {
        Path file = dir.resolve("array.json");
        Files.writeString(file, "[\n  {\"id\": \"slow\", \"function\": \"sleep\", \"input\": {\"duration\": \"5s\"}},\n"
                + "  {\"id\": \"refused\", \"function\": \"http\", \"input\": {\"url\": \"http://127.0.0.1:" + closedPort()
                + "/\"}},\n  {\"id\": \"ok\", \"function\": \"noop\"}\n]\n");

        Run run = fanout("submit", file.toString(), "--wait", "--task-timeout", "300ms", "--retries", "1");

        assertEquals(1, run.exit(), run.err());
        Map<String, JsonNode> byId = run.lines().stream().collect(Collectors.toMap(r -> r.path("id").asText(), r -> r));
        assertEquals(Set.of("slow", "refused", "ok"), byId.keySet(), run.out());
        assertEquals("SUCCEEDED", byId.get("ok").path("state").asText());
        assertEquals("TIMEOUT", byId.get("slow").path("error").path("type").asText(), "--task-timeout applied");
        assertEquals(2, byId.get("slow").path("attempts").asInt(), "--retries applied");
        assertEquals("FUNCTION_ERROR", byId.get("refused").path("error").path("type").asText());
        assertEquals(2, byId.get("refused").path("attempts").asInt(), "--retries applied");

        Path bad = dir.resolve("bad-array.json");
        Files.writeString(bad, "[{\"function\": \"noop\"},\n {\"function\": \"slep\"}]");
        Run invalid = fanout("submit", bad.toString());
        assertEquals(2, invalid.exit());
        assertTrue(invalid.err().contains("tasks[1]") && invalid.err().contains("unknown function 'slep'"),
                "the API's detail, naming the task by its place in the array: " + invalid.err());
    }

    /**
     * The service is SIGKILLed while {@code submit --wait} follows a batch that cannot end before the restart (half
     * of its tasks wait on a gate the test opens only then), and stays down until the client was refused: the
     * client keeps trying, resumes after the last event it had, and writes every result exactly once.
     */
    @Test
    void aWaitingClientRetriesWhileTheServiceIsDownAndResumesAfterTheLastEvent(@TempDir Path store) throws Exception {
        try (HttpGates gates = new HttpGates();
             PackagedService restarting = PackagedService.onSqlite("fanout-cli-restart", store,
                     "-Dfanout.http.allow-private-addresses=true").start()) {
            StringBuilder tasks = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                tasks.append(gates.task("t" + i, i < 10 ? 0 : 1)).append('\n');
            }
            Path file = dir.resolve("restart.ndjson");
            Files.writeString(file, tasks);
            try (Running client = start("http://127.0.0.1:" + restarting.port(), Map.of(), "submit", file.toString(),
                    "--wait", "--max-concurrency", "20")) {
                await().atMost(Duration.ofMinutes(2)).until(() -> client.outSoFar().lines().count() >= 10);
                restarting.kill();
                await().atMost(Duration.ofMinutes(1)).until(() -> client.errSoFar().contains("(connection refused)"));
                gates.open(1);
                restarting.start();
                Run run = client.end();

                assertEquals(0, run.exit(), run.err());
                List<String> ids = run.lines().stream().map(r -> r.path("id").asText()).toList();
                assertEquals(20, ids.size(), "one line per task: " + run.out());
                assertEquals(java.util.stream.IntStream.range(0, 20).mapToObj(i -> "t" + i).collect(Collectors.toSet()),
                        new HashSet<>(ids), "none twice, none missing");
                assertTrue(run.lines().stream().allMatch(r -> r.path("state").asText().equals("SUCCEEDED")), run.out());
                assertTrue(run.err().contains("resuming after event 10"), "resumed after the 10 results it had: "
                        + run.err());
                assertTrue(run.err().contains("20/20 100%"), run.err());
            }
        }
    }

    private static final Pattern BAR = Pattern.compile(
            "\\[[#-]{24}] \\d+/30 \\d+% \\d+\\.\\d/s ETA \\w+ 1 failed RUNNING");

    /**
     * {@code bin/fanout submit --wait} on a terminal (tmux), its results redirected to a file as users do: one bar,
     * redrawn in place, with done/total, rate, ETA and failures, moving as tasks finish (gates the test opens one
     * after the other), ending at 30/30. Then stderr to a file on the same terminal: lines, no carriage returns.
     */
    @Test
    void showsAProgressBarThatMovesOnATerminalAndPlainLinesInAFile() throws Exception {
        assumeTrue(Tmux.available(), "tmux is not installed");
        try (HttpGates gates = new HttpGates(); Tmux tmux = new Tmux()) {
            StringBuilder tasks = new StringBuilder();
            for (int i = 0; i < 30; i++) {
                tasks.append(i == 9 ? failing(i) : gates.task("t" + i, i / 10)).append('\n');
            }
            Path file = dir.resolve("terminal.ndjson");
            Files.writeString(file, tasks);
            Path out = dir.resolve("terminal-results.ndjson");
            tmux.start("bar", Path.of("").toAbsolutePath(), client(file + " --wait --max-concurrency 30 > " + out));

            String first = awaitBar(tmux, 10);
            gates.open(1);
            String second = awaitBar(tmux, 20);
            assertTrue(second.indexOf('-') > first.indexOf('-'), "the bar grew: " + first + " then " + second);
            gates.open(2);
            String end = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                    .until(() -> tmux.screen("bar"), screen -> screen.contains("EXIT="));

            assertTrue(end.contains("EXIT=1"), "a failed task: exit 1\n" + end);
            List<String> bars = end.lines().filter(l -> l.contains("/30 ")).toList();
            assertEquals(1, bars.size(), "one bar, redrawn in place:\n" + end);
            assertTrue(bars.getFirst().matches("\\[#{24}] 30/30 100% \\d+\\.\\d/s 1 failed FAILED"), bars.getFirst());
            assertEquals(30, Files.readAllLines(out).size(), "the results in the file, none on the screen");

            Path small = dir.resolve("small.json");
            Files.writeString(small, "[" + "{\"function\": \"noop\"},".repeat(4) + "{\"function\": \"noop\"}]");
            Path err = dir.resolve("progress.log");
            tmux.start("log", Path.of("").toAbsolutePath(), client(small + " --wait 2> " + err));
            await().atMost(Duration.ofMinutes(1)).until(() -> tmux.screen("log").contains("EXIT="));
            String log = Files.readString(err);
            assertTrue(tmux.screen("log").contains("EXIT=0"), tmux.screen("log"));
            assertTrue(log.contains("5/5 100%"), log);
            assertTrue(!log.contains("\r"), "stderr is a file, stdout the terminal: no redraws in the file: " + log);
        }
    }

    /** The client as users start it on a terminal, then its exit code on the screen; the pane stays to be read. */
    private static String client(String submitArguments) {
        String fanout = Artifact.isNative() ? String.join(" ", Artifact.command(List.of(), "fanout")) : "bin/fanout";
        return "FANOUT_URL=" + url() + " FANOUT_API_KEY=" + KEY + " " + fanout + " submit " + submitArguments
                + "; echo EXIT=$?; sleep 600";
    }

    private static String failing(int i) throws IOException {
        return "{\"id\": \"f" + i + "\", \"function\": \"http\", \"input\": {\"url\": \"http://127.0.0.1:" + closedPort()
                + "/\"}}";
    }

    /**
     * Waits until the screen shows {@code done} of 30 tasks (a change, not a time); answers the progress line, which
     * must be the only one (redrawn in place) and show done/total, rate, ETA and failures.
     */
    private static String awaitBar(Tmux tmux, int done) {
        String screen = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> tmux.screen("bar"), s -> s.contains("] " + done + "/30 "));
        List<String> bars = screen.lines().filter(l -> l.contains("/30 ")).toList();
        assertEquals(1, bars.size(), "one bar, redrawn in place:\n" + screen);
        assertTrue(BAR.matcher(bars.getFirst()).matches(), "done/total, rate, ETA, failures: " + bars.getFirst());
        return bars.getFirst();
    }
}
