package dev.fanout.packaged;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM with batches running: a batch that can finish within fanout.shutdown.grace-period finishes; the tasks of
 * one that cannot are cancelled with a result that says why, and a client streaming its results receives them.
 */
class GracefulShutdownIT {
    private Process service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.destroyForcibly();
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

    @Test
    void finishesWhatCanFinishAndCancelsTheRestWithAReason() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        service = new ProcessBuilder(Artifact.command(List.of("-Dquarkus.http.port=" + port,
                "-Dfanout.auth.enabled=false", "-Dfanout.shutdown.grace-period=3s", "-Dfanout.processes.workers=1")))
                .redirectOutput(new File("target/graceful-shutdown-service.log")).redirectErrorStream(true).start();
        RestAssured.port = port;
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> given().get("/q/health/ready").statusCode() == 200);
        String shortBatch = given().contentType(ContentType.JSON)
                .body("{\"tasks\": [{\"function\": \"sleep\", \"input\": {\"duration\": \"1s\"}},"
                        + "{\"function\": \"sleep\", \"input\": {\"duration\": \"1500ms\"}}]}")
                .when().post("/batches").then().statusCode(202).extract().path("id");
        String longBatch = given().contentType(ContentType.JSON)
                .body("{\"tasks\": [{\"function\": \"sleep\", \"input\": {\"duration\": \"1h\"}},"
                        + "{\"function\": \"sleep\", \"input\": {\"duration\": \"1h\"}}]}")
                .when().post("/batches").then().statusCode(202).extract().path("id");
        CompletableFuture<List<JsonNode>> shortResults = stream(port, shortBatch);
        CompletableFuture<List<JsonNode>> longResults = stream(port, longBatch);
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/batches/" + longBatch)
                .<Integer>path("running") == 2);

        service.destroy(); // SIGTERM
        assertTrue(service.waitFor(60, TimeUnit.SECONDS), "the service stopped");

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
}
