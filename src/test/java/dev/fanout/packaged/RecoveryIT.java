package dev.fanout.packaged;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.testing.lambda.Emulators;
import dev.fanout.testing.lambda.LambdaEmulator;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service SIGKILLed in the middle of a batch, twice, and started again on its store each time: the batch
 * finishes with exactly one result per task, the results stored before each kill are never run again, and a client
 * following the event stream with Last-Event-ID sees every result exactly once. IO tasks on virtual threads, CPU tasks
 * on worker processes and on Lambda (the emulator, whose invocations in flight at the kill finish unheard).
 */
class RecoveryIT {
    private final List<AutoCloseable> open = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private static String tasks(int n, String cpuBackend) {
        // slow enough that each kill lands in the middle of the batch, on a busy machine too: at least 4 s of sleeps
        // (600 of 100-300 ms, 30 at once) for 900 tasks; it once ended before the first kill with 50-150 ms at 50
        StringBuilder b = new StringBuilder("{\"maxConcurrency\": 30, \"cpuBackend\": \"" + cpuBackend
                + "\", \"tasks\": [");
        for (int i = 0; i < n; i++) {
            b.append(i > 0 ? "," : "").append(i % 3 == 0
                    ? "{\"id\": \"p" + i + "\", \"function\": \"primes\", \"input\": {\"limit\": " + (20_000 + i) + "}}"
                    : "{\"id\": \"s" + i + "\", \"function\": \"sleep\", \"input\": {\"duration\": \"" + (100 + i % 200)
                    + "ms\"}}");
        }
        return b.append("]}").toString();
    }

    private void killTwiceAndFinish(PackagedService service, int n, String cpuBackend) throws Exception {
        String id = service.api().contentType(ContentType.JSON).body(tasks(n, cpuBackend)).when().post("/batches")
                .then().statusCode(202).extract().path("id");
        SseFollower follower = new SseFollower();
        var events = follower.follow(service.port(), id, Duration.ofMinutes(5));
        Map<String, String> beforeKills = new HashMap<>();
        for (int kill = 1; kill <= 2; kill++) {
            int target = n * kill / 3;
            await().atMost(Duration.ofMinutes(2)).until(() -> done(service, id) >= target);
            // what is stored now must survive the kill unchanged
            storedResults(service, id, done(service, id))
                    .forEach(r -> beforeKills.putIfAbsent(r.get("id").asText(), r.toString()));
            service.kill();
            service.start();
        }
        List<SseFollower.Event> seen = events.get(5, TimeUnit.MINUTES);
        String seenSummary = seen.size() + " events, " + follower.reconnects() + " reconnects, end " + follower.end();
        assertTrue(follower.reconnects() >= 2, "the follower lost its stream at each kill: " + seenSummary);
        assertEquals(n, seen.size(), "every result exactly once through the reconnects: " + seenSummary);
        Set<String> taskIds = new HashSet<>();
        for (int k = 0; k < seen.size(); k++) {
            assertEquals(k + 1, seen.get(k).id(), "event ids follow each other across reconnects");
            assertTrue(taskIds.add(seen.get(k).result().get("id").asText()), "a task seen twice: " + seen.get(k));
        }
        JsonNode status = service.api().get("/batches/" + id).then().statusCode(200).extract().as(JsonNode.class);
        assertEquals("SUCCEEDED", status.get("state").asText(), status.toString());
        assertEquals(n, status.get("succeeded").asInt());
        List<JsonNode> finalResults = storedResults(service, id, n);
        assertEquals(n, finalResults.size());
        int rerunAfterStart = 0;
        for (JsonNode r : finalResults) {
            String before = beforeKills.get(r.get("id").asText());
            if (before != null) {
                assertEquals(before, r.toString(), "a result stored before a kill was changed");
            }
            rerunAfterStart += r.get("attempts").asInt() > 1 ? 1 : 0;
        }
        assertTrue(rerunAfterStart > 0, "tasks running at a kill ran again, counted as a further attempt");
    }

    private static int done(PackagedService service, String id) {
        try {
            return service.api().get("/batches/" + id).path("succeeded");
        } catch (RuntimeException e) {
            return 0; // restarting
        }
    }

    /**
     * The first {@code count} results in completion order, without following the batch further (a result stream of a
     * running batch waits for the next result).
     */
    private static List<JsonNode> storedResults(PackagedService service, String id, int count) throws Exception {
        List<JsonNode> results = new ArrayList<>();
        try (java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient()) {
            var response = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                    + service.port() + "/batches/" + id + "/results")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofLines());
            try (java.util.stream.Stream<String> lines = response.body()) { // closing it hangs up: the batch runs on
                lines.filter(l -> !l.isBlank()).limit(count).forEach(l -> add(results, l));
            }
        }
        return results;
    }

    private static void add(List<JsonNode> results, String line) {
        try {
            JsonNode n = dev.fanout.core.Json.mapper().readTree(line);
            ((com.fasterxml.jackson.databind.node.ObjectNode) n).remove("seq"); // compared across restarts
            results.add(n);
        } catch (Exception e) {
            throw new AssertionError(line, e);
        }
    }

    @Test
    void ioAndProcessBatchesSurviveTwoKills() throws Exception {
        PackagedService service = PackagedService.onSqlite("recovery", dir, "-Dfanout.processes.workers=2").start();
        open.add(service);
        killTwiceAndFinish(service, 3000, "processes");
    }

    @Test
    void lambdaBatchesSurviveTwoKills() throws Exception {
        LambdaEmulator emulator = Emulators.start(Emulators.worker().withReservedConcurrency(4));
        open.add(emulator);
        PackagedService service = PackagedService.onSqlite("recovery-lambda", dir,
                "-Dfanout.lambda.function-name=" + Emulators.FUNCTION, "-Dfanout.lambda.region=us-east-1",
                "-Dfanout.lambda.endpoint-override=" + emulator.endpoint(), "-Daws.accessKeyId=emulator",
                "-Daws.secretAccessKey=emulator", "-Dfanout.lambda.max-concurrency=4").start();
        open.add(0, service);
        killTwiceAndFinish(service, 900, "lambda");
    }
}
