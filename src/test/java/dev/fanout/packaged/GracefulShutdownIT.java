package dev.fanout.packaged;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM with batches running: a batch that can finish within fanout.shutdown.grace-period finishes. With the memory
 * store the tasks of one that cannot are cancelled with a result that says why, and a client streaming its results
 * receives them; with a durable store (the default) they are left for the next start, which finishes them.
 */
class GracefulShutdownIT {
    private PackagedService service;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        RestAssured.reset();
    }

    /** Reads an NDJSON result stream to its end on a thread of its own. */
    private static CompletableFuture<List<JsonNode>> stream(int port, String batchId) {
        return CompletableFuture.supplyAsync(() -> {
            List<JsonNode> results = new ArrayList<>();
            try (HttpClient client = HttpClient.newHttpClient()) {
                HttpResponse<java.io.InputStream> r = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/batches/" + batchId + "/results")).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        if (!line.isBlank()) {
                            results.add(Json.mapper().readTree(line));
                        }
                    }
                }
            } catch (Exception e) {
                // the service went away: what arrived is what counts
            }
            return results;
        });
    }

    private String submit(String... durations) {
        StringBuilder body = new StringBuilder("{\"tasks\": [");
        for (int i = 0; i < durations.length; i++) {
            body.append(i > 0 ? "," : "").append("{\"function\": \"sleep\", \"input\": {\"duration\": \"")
                    .append(durations[i]).append("\"}}");
        }
        return service.api().contentType(ContentType.JSON).body(body.append("]}").toString()).when()
                .post("/batches").then().statusCode(202).extract().path("id");
    }

    @Test
    void withTheMemoryStoreFinishesWhatCanFinishAndCancelsTheRestWithAReason() throws Exception {
        service = new PackagedService("graceful-shutdown", List.of("-Dfanout.store.kind=memory",
                "-Dfanout.shutdown.grace-period=3s", "-Dfanout.processes.workers=1")).start();
        String shortBatch = submit("1s", "1500ms");
        String longBatch = submit("1h", "1h");
        CompletableFuture<List<JsonNode>> shortResults = stream(service.port(), shortBatch);
        CompletableFuture<List<JsonNode>> longResults = stream(service.port(), longBatch);
        await().atMost(Duration.ofSeconds(30)).until(() -> service.api().get("/batches/" + longBatch)
                .<Integer>path("running") == 2);

        service.terminate();

        List<JsonNode> finished = shortResults.get(30, TimeUnit.SECONDS);
        assertEquals(2, finished.size(), finished.toString());
        finished.forEach(r -> assertEquals("SUCCEEDED", r.get("state").asText()));
        List<JsonNode> cancelled = longResults.get(30, TimeUnit.SECONDS);
        assertEquals(2, cancelled.size(), cancelled.toString());
        for (JsonNode r : cancelled) {
            assertEquals("CANCELLED", r.get("state").asText());
            assertTrue(r.get("error").get("message").asText().contains("shut down"), r.toString());
        }
    }

    @Test
    void withADurableStoreLeavesWhatCannotFinishForTheNextStart() throws Exception {
        service = PackagedService.onSqlite("graceful-shutdown-durable", dir, "-Dfanout.shutdown.grace-period=2s",
                "-Dfanout.processes.workers=1").start();
        String shortBatch = submit("500ms", "1s");
        String longBatch = submit("6s", "6s");
        await().atMost(Duration.ofSeconds(30)).until(() -> service.api().get("/batches/" + longBatch)
                .<Integer>path("running") == 2);

        service.terminate();
        service.start();

        service.api().get("/batches/" + shortBatch).then().statusCode(200).body("state", is("SUCCEEDED"));
        await().atMost(Duration.ofSeconds(60)).until(() -> "SUCCEEDED".equals(service.api()
                .get("/batches/" + longBatch).path("state")));
        List<JsonNode> results = stream(service.port(), longBatch).get(30, TimeUnit.SECONDS);
        assertEquals(2, results.size());
        results.forEach(r -> assertEquals(2, r.get("attempts").asInt(), "stopped once, run again: " + r));
    }
}
