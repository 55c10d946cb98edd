package dev.fanout.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.fanout.api.BatchResourceTest.lines;
import static dev.fanout.api.BatchResourceTest.sleeps;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Result streams a client can resume: event ids, an end event, Last-Event-ID and ?after. */
@QuarkusTest
@Tag("quarkus")
public class ResultStreamTest {

    /** One server-sent event: its id, its event name (null: a message), its data. */
    record Event(String id, String name, String data) {
        JsonNode json() {
            try {
                return Json.mapper().readTree(data);
            } catch (Exception e) {
                throw new AssertionError(data, e);
            }
        }
    }

    static List<Event> events(String body) {
        List<Event> events = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            Map<String, String> fields = new LinkedHashMap<>();
            for (String line : block.split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.merge(line.substring(0, colon), line.substring(colon + 1).stripLeading(), (a, b) -> a + "\n" + b);
                }
            }
            if (fields.containsKey("data")) {
                events.add(new Event(fields.get("id"), fields.get("event"), fields.get("data")));
            }
        }
        return events;
    }

    private static String finishedBatch(String... durations) {
        return given().contentType(ContentType.JSON).body(sleeps(durations))
                .when().post("/batches?wait=30s").then().statusCode(200).extract().path("batch.id");
    }

    private static Response sse(String path, String lastEventId) {
        var request = given().accept("text/event-stream");
        if (lastEventId != null) {
            request = request.header("Last-Event-ID", lastEventId);
        }
        return request.when().get(path);
    }

    @Test
    void eachResultEventHasTheNextIdAndTheStreamEndsWithTheBatchStatus() {
        String id = finishedBatch("1ms", "2ms", "3ms");
        List<Event> events = events(sse("/batches/" + id + "/results", null).asString());
        assertEquals(4, events.size(), events.toString());
        for (int k = 0; k < 3; k++) {
            assertEquals(String.valueOf(k + 1), events.get(k).id());
            assertNull(events.get(k).name(), "results are plain messages, for EventSource.onmessage");
        }
        Event end = events.get(3);
        assertEquals("end", end.name());
        assertEquals("SUCCEEDED", end.json().get("state").asText());
        assertEquals(id, end.json().get("id").asText());
    }

    @Test
    void lastEventIdResumesAfterThatEventWithNoGapAndNoRepeat() {
        String id = finishedBatch("1ms", "2ms", "3ms", "4ms", "5ms");
        List<Event> all = events(sse("/batches/" + id + "/results", null).asString());
        List<Event> rest = events(sse("/batches/" + id + "/results", "2").asString());
        assertEquals(List.of("3", "4", "5"), rest.stream().filter(e -> e.name() == null).map(Event::id).toList());
        assertEquals(all.subList(2, 5).stream().map(Event::data).toList(),
                rest.subList(0, 3).stream().map(Event::data).toList());
        assertEquals("end", rest.getLast().name());
    }

    @Test
    void aReconnectAfterTheEndIsToldThereIsNothingMore() {
        String id = finishedBatch("1ms", "2ms");
        // what a browser's EventSource does when the stream closes: reconnect with the last id it saw
        Response r = sse("/batches/" + id + "/results", "2");
        r.then().statusCode(204);
        assertEquals("", r.asString());
    }

    @Test
    void aStreamFollowsARunningBatchAndResumesWhereItLeft() {
        String id = given().contentType(ContentType.JSON).body(sleeps("1ms", "300ms", "600ms"))
                .when().post("/batches").then().statusCode(202).extract().path("id");
        List<Event> first = events(sse("/batches/" + id + "/results", null).asString());
        assertEquals(List.of("1", "2", "3"), first.stream().filter(e -> e.name() == null).map(Event::id).toList());
        assertEquals(List.of("0", "1", "2"), first.stream().filter(e -> e.name() == null)
                .map(e -> e.json().get("id").asText()).toList());
    }

    @Test
    void ndjsonLinesCarryTheirSequenceAndAfterResumes() {
        String id = finishedBatch("1ms", "2ms", "3ms", "4ms");
        List<JsonNode> all = lines(given().when().get("/batches/" + id + "/results").asString());
        assertEquals(List.of(1, 2, 3, 4), all.stream().map(n -> n.get("seq").asInt()).toList());
        List<JsonNode> rest = lines(given().when().get("/batches/" + id + "/results?after=3").asString());
        assertEquals(1, rest.size());
        assertEquals(all.get(3), rest.getFirst());
    }

    @Test
    void inputOrderIdsArePositionsInTheBatch() {
        String id = finishedBatch("300ms", "1ms", "2ms");
        List<JsonNode> rest = lines(given().when().get("/batches/" + id + "/results?order=input&after=1").asString());
        assertEquals(List.of(2, 3), rest.stream().map(n -> n.get("seq").asInt()).toList());
        assertEquals(List.of("1", "2"), rest.stream().map(n -> n.get("id").asText()).toList());
    }

    @Test
    void aBadResumePointIsAProblem() {
        String id = finishedBatch("1ms");
        given().when().get("/batches/" + id + "/results?after=x").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("after"));
        given().when().get("/batches/" + id + "/results?after=5").then().statusCode(400)
                .body("detail", containsString("from 0 to 1"));
        sse("/batches/" + id + "/results", "-1").then().statusCode(400)
                .body("detail", containsString("Last-Event-ID"));
    }

    @Test
    void resultsStillOpenWithTheirIdsAfterManyEvents() {
        String id = finishedBatch("1ms", "1ms", "1ms", "1ms", "1ms", "1ms", "1ms", "1ms", "1ms", "1ms");
        List<Event> rest = events(sse("/batches/" + id + "/results", "7").asString());
        assertEquals(List.of("8", "9", "10"), rest.stream().filter(e -> e.name() == null).map(Event::id).toList());
        given().when().get("/batches/" + id).then().body("succeeded", is(10));
        assertTrue(rest.getLast().json().get("finishedAt").isTextual());
    }
}
