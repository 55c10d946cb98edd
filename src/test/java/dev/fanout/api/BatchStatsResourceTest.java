package dev.fanout.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.fanout.api.BatchResourceTest.lines;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Progress, statistics and filters: what a client watching a batch relies on. */
@QuarkusTest
@Tag("quarkus")
public class BatchStatsResourceTest {

    /** Two sleeps, two failures, one timeout (taskTimeout 500ms); answers the id once finished. */
    private static String finishedMix() {
        return given().contentType(ContentType.JSON).body("{\"tasks\": ["
                        + "{\"id\": \"s0\", \"function\": \"sleep\", \"input\": {\"duration\": \"100ms\"}},"
                        + "{\"id\": \"f0\", \"function\": \"fail\", \"input\": {\"message\": \"boom\"}},"
                        + "{\"id\": \"s1\", \"function\": \"sleep\", \"input\": {\"duration\": \"100ms\"}},"
                        + "{\"id\": \"f1\", \"function\": \"fail\", \"input\": {\"message\": \"bang\"}},"
                        + "{\"id\": \"t\", \"function\": \"sleep\", \"input\": {\"duration\": \"1h\"}}],"
                        + "\"taskTimeout\": \"500ms\"}")
                .when().post("/batches?wait=30s")
                .then().statusCode(200).body("batch.state", is("FAILED")).extract().path("batch.id");
    }

    @Test
    void aBatchShowsItsProgressAndStatistics() {
        String id = finishedMix();
        given().when().get("/batches/" + id)
                .then().statusCode(200)
                .body("id", is(id))
                .body("state", is("FAILED"))
                .body("succeeded", is(2))
                .body("progress.done", is(5))
                .body("progress.total", is(5))
                .body("progress.tasksPerSecond", greaterThan(0f))
                .body("progress.etaSeconds", nullValue())
                .body("stats.durationMs.count", is(5))
                .body("stats.durationMs.p50", greaterThanOrEqualTo(95))
                .body("stats.durationMs.p95", greaterThanOrEqualTo(480))
                .body("stats.durationMs.p99", greaterThanOrEqualTo(480))
                .body("stats.durationMs.max", greaterThanOrEqualTo(500))
                .body("stats.queueWaitMs.p50", greaterThanOrEqualTo(0))
                .body("stats.queueWaitMs.p95", greaterThanOrEqualTo(0))
                .body("stats.errors.FUNCTION_ERROR.count", is(2))
                .body("stats.errors.FUNCTION_ERROR.samples.size()", is(2))
                .body("stats.errors.FUNCTION_ERROR.samples", hasItem(containsString("boom")))
                .body("stats.errors.TIMEOUT.count", is(1))
                .body("stats.errors", not(org.hamcrest.Matchers.hasKey("CANCELLED")))
                .body("stats.durationHistogram.collect { it.count }.sum()", is(5))
                .body("stats.durationHistogram[-1].toMs", greaterThan(500));
    }

    @Test
    void aRunningBatchHasAnEstimateOnceTasksComplete() {
        String id = given().contentType(ContentType.JSON)
                .body(BatchResourceTest.sleeps("1ms", "1ms", "1ms", "1h")).when().post("/batches")
                .then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/batches/" + id)
                .<Integer>path("progress.done") == 3);
        given().when().get("/batches/" + id).then().statusCode(200)
                .body("state", is("RUNNING"))
                .body("progress.etaSeconds", notNullValue())
                .body("stats.durationMs.count", is(3));
        given().when().delete("/batches/" + id).then().statusCode(200);
    }

    @Test
    void resultsFilterByStateAndErrorTypeInEveryStream() {
        String id = finishedMix();
        List<JsonNode> failed = lines(given().when().get("/batches/" + id + "/results?state=FAILED").asString());
        assertEquals(List.of("f0", "f1", "t"), failed.stream().map(n -> n.get("id").asText()).sorted().toList());
        List<JsonNode> timeouts = lines(given().when().get("/batches/" + id + "/results?errorType=TIMEOUT")
                .asString());
        assertEquals(List.of("t"), timeouts.stream().map(n -> n.get("id").asText()).toList());
        List<JsonNode> succeeded = lines(given().when()
                .get("/batches/" + id + "/results?state=SUCCEEDED&order=input").asString());
        assertEquals(List.of(1, 3), succeeded.stream().map(n -> n.get("seq").asInt()).toList(),
                "a filtered result keeps its place in the whole stream");
        List<JsonNode> after = lines(given().when()
                .get("/batches/" + id + "/results?state=SUCCEEDED&order=input&after=1").asString());
        assertEquals(List.of("s1"), after.stream().map(n -> n.get("id").asText()).toList());
        assertEquals(0, lines(given().when().get("/batches/" + id + "/results?state=CANCELLED").asString()).size());
        String events = given().accept("text/event-stream")
                .when().get("/batches/" + id + "/results?errorType=FUNCTION_ERROR&order=input").asString();
        assertEquals(2, events.lines().filter(l -> l.startsWith("data:") && (l.contains("boom") || l.contains("bang")))
                .count(), events);
        assertEquals(List.of("id:2", "id:4", "id:5"), events.lines().filter(l -> l.startsWith("id:"))
                .map(l -> l.replace(" ", "")).toList(), "the end event's id is the end: a reconnect gets 204");
        given().accept("text/event-stream").header("Last-Event-ID", "5")
                .when().get("/batches/" + id + "/results?errorType=FUNCTION_ERROR&order=input")
                .then().statusCode(204);
    }

    @Test
    void badFilterValuesAreRefusedNamingTheAllowedOnes() {
        String id = finishedMix();
        given().when().get("/batches/" + id + "/results?state=DONE")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("state: expected one of SUCCEEDED, FAILED, CANCELLED, got 'DONE'"));
        given().when().get("/batches/" + id + "/results?errorType=OOPS")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("errorType: expected one of FUNCTION_ERROR, INVALID_INPUT, TIMEOUT, "
                        + "CANCELLED, WORKER_CRASHED, BACKEND_ERROR"));
        given().when().get("/batches?state=running")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("state: expected one of RUNNING, SUCCEEDED, FAILED, CANCELLED"));
    }

    @Test
    void theListFiltersByState() {
        String finished = finishedMix();
        String running = given().contentType(ContentType.JSON).body(BatchResourceTest.sleeps("1h"))
                .when().post("/batches").then().statusCode(202).extract().path("id");
        try {
            given().when().get("/batches?state=RUNNING&limit=1000").then().statusCode(200)
                    .body("batches.state", everyItem(is("RUNNING")))
                    .body("batches.id", hasItem(running))
                    .body("batches.id", not(hasItem(finished)))
                    .body("total", greaterThanOrEqualTo(1));
            given().when().get("/batches?state=FAILED&limit=1000").then().statusCode(200)
                    .body("batches.state", everyItem(is("FAILED")))
                    .body("batches.id", hasItem(finished));
        } finally {
            given().when().delete("/batches/" + running).then().statusCode(200);
        }
    }
}
