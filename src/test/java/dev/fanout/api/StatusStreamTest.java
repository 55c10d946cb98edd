package dev.fanout.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A batch's details and the batch list as server-sent events: what the dashboard watches instead of polling. */
@QuarkusTest
@Tag("quarkus")
public class StatusStreamTest {

    /** One server-sent event. */
    record Event(String name, JsonNode data) {
    }

    /**
     * Reads events until {@code stop} accepts one (then hangs up) or the stream ends; answers those read. The
     * request times out after 60 s, so a stream that neither ends nor sends what is awaited fails the test.
     */
    private static List<Event> read(String path, Predicate<Event> stop) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + path))
                .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(60)).build();
        List<Event> events = new ArrayList<>();
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<java.io.InputStream> response = client.send(request,
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(),
                    StandardCharsets.UTF_8))) {
                String name = "message";
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        Event e = new Event(name, Json.mapper().readTree(line.substring(5)));
                        events.add(e);
                        name = "message";
                        if (stop.test(e)) {
                            return events; // hang up
                        }
                    }
                }
            }
        }
        return events;
    }

    private static String sleeps(int n, String duration, int maxConcurrency) {
        String task = "{\"function\": \"sleep\", \"input\": {\"duration\": \"" + duration + "\"}}";
        return "{\"tasks\": [" + String.join(",", java.util.Collections.nCopies(n, task)) + "], \"maxConcurrency\": "
                + maxConcurrency + "}";
    }

    private static int done(JsonNode d) {
        return d.get("succeeded").asInt() + d.get("failed").asInt() + d.get("cancelled").asInt();
    }

    @Test
    void aBatchsDetailsStreamFollowsItToItsEndAndStops() throws Exception {
        // 20 tasks of 100 ms, 2 at a time: about a second, so several updates
        String id = BatchResourceTest.submit(sleeps(20, "100ms", 2));
        List<Event> events = read("/batches/" + id, e -> false); // the stream ends by itself
        assertTrue(events.size() >= 2, "the details now, then as they change: " + events.size());
        int previous = -1;
        for (Event e : events) {
            assertEquals("details", e.name());
            assertEquals(id, e.data().get("id").asText());
            assertTrue(done(e.data()) >= previous, "progress never goes back");
            previous = done(e.data());
        }
        JsonNode last = events.getLast().data();
        assertEquals("SUCCEEDED", last.get("state").asText(), "the last event is the final one");
        assertEquals(20, last.at("/progress/done").asInt());
        assertEquals(20, last.at("/stats/durationMs/count").asInt());
        assertEquals(1, events.stream().filter(e -> !e.data().get("state").asText().equals("RUNNING")).count(),
                "one final event, then the stream ends");
    }

    @Test
    void aFinishedBatchsStreamIsOneEvent() throws Exception {
        String id = given().contentType(ContentType.JSON).body(BatchResourceTest.sleeps("1ms"))
                .when().post("/batches?wait=30s").then().statusCode(200).extract().path("batch.id");
        List<Event> events = read("/batches/" + id, e -> false);
        assertEquals(1, events.size());
        assertEquals("SUCCEEDED", events.getFirst().data().get("state").asText());
    }

    @Test
    void theListStreamSendsThePageAgainWhenABatchChanges() throws Exception {
        String id = BatchResourceTest.submit(sleeps(10, "100ms", 1));
        List<Event> events = read("/batches?limit=1000", e -> state(e, id).equals("SUCCEEDED"));
        assertTrue(events.stream().allMatch(e -> e.name().equals("batches")));
        assertTrue(events.stream().anyMatch(e -> state(e, id).equals("RUNNING")), "seen running first");
        for (int i = 1; i < events.size(); i++) {
            assertTrue(!events.get(i).data().equals(events.get(i - 1).data()), "an unchanged page is not sent again "
                    + "(within the keep-alive period)");
        }
    }

    private static String state(Event e, String id) {
        for (JsonNode b : e.data().get("batches")) {
            if (b.get("id").asText().equals(id)) {
                return b.get("state").asText();
            }
        }
        return "";
    }

    @Test
    void badParametersAreAProblemBeforeAnyStream() {
        given().accept("text/event-stream").when().get("/batches?limit=0")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("limit"));
        given().accept("text/event-stream").when().get("/batches/no-such-batch")
                .then().statusCode(404).contentType("application/problem+json");
    }
}
