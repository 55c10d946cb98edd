package dev.fanout.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static dev.fanout.api.BatchResourceTest.sleeps;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Batches a client can come back to: idempotent submission, redrive, tolerated failures. */
@QuarkusTest
@Tag("quarkus")
public class BatchLifecycleTest {

    private static String flaky(int tasks) {
        StringBuilder b = new StringBuilder("{\"tasks\": [{\"id\": \"ok\", \"function\": \"sha256\", \"input\": "
                + "{\"data\": \"x\"}}");
        for (int i = 0; i < tasks; i++) {
            b.append(", {\"id\": \"f").append(i).append("\", \"function\": \"flaky\", \"input\": {\"succeedOnAttempt\": 2}}");
        }
        return b.append("]}").toString();
    }

    @Test
    void theSameIdempotencyKeyAndBodyAnswerTheSameBatch() {
        String key = UUID.randomUUID().toString();
        String first = given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(sleeps("1ms"))
                .when().post("/batches").then().statusCode(202).extract().path("id");
        String again = given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(sleeps("1ms"))
                .when().post("/batches?wait=30s").then().statusCode(200).extract().path("batch.id");
        assertEquals(first, again);
        given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(sleeps("2ms"))
                .when().post("/batches").then().statusCode(422).contentType("application/problem+json")
                .body("type", is("urn:fanout:problem:idempotency-key-reused"))
                .body("detail", containsString(first));
        String other = given().header("Idempotency-Key", UUID.randomUUID().toString()).contentType(ContentType.JSON)
                .body(sleeps("1ms")).when().post("/batches").then().statusCode(202).extract().path("id");
        assertEquals(false, other.equals(first));
    }

    @Test
    void aMalformedIdempotencyKeyIsAProblem() {
        given().header("Idempotency-Key", "x".repeat(300)).contentType(ContentType.JSON).body(sleeps("1ms"))
                .when().post("/batches").then().statusCode(400)
                .body("detail", containsString("Idempotency-Key: expected 1 to 255 visible ASCII characters"));
    }

    @Test
    void redriveRunsTheFailedTasksAgainAndKeepsTheSuccesses() {
        String id = given().contentType(ContentType.JSON).body(flaky(3)).when().post("/batches?wait=30s")
                .then().statusCode(200).body("batch.state", is("FAILED")).body("batch.failed", is(3))
                .extract().path("batch.id");
        String hex = BatchResourceTest.lines(given().when().get("/batches/" + id + "/results?order=input").asString())
                .getFirst().get("output").get("hex").asText();
        given().contentType(ContentType.JSON).body("{\"retries\": 1}").when().post("/batches/" + id + "/redrive")
                .then().statusCode(202).header("Location", "/batches/" + id);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> "SUCCEEDED".equals(given().when().get("/batches/" + id).path("state")));
        given().when().get("/batches/" + id).then().body("succeeded", is(4)).body("failed", is(0));
        var results = BatchResourceTest.lines(given().when().get("/batches/" + id + "/results?order=input").asString());
        assertEquals(hex, results.getFirst().get("output").get("hex").asText(), "the success is kept");
        assertEquals(1, results.getFirst().get("attempts").asInt());
        assertEquals(2, results.get(1).get("attempts").asInt(), "attempts count on");
    }

    @Test
    void redriveOfARunningOrUnknownBatchIsAProblem() {
        String running = given().contentType(ContentType.JSON).body(sleeps("1h")).when().post("/batches")
                .then().statusCode(202).extract().path("id");
        given().when().post("/batches/" + running + "/redrive").then().statusCode(409)
                .body("type", is("urn:fanout:problem:batch-running"));
        given().when().delete("/batches/" + running).then().statusCode(200);
        given().when().post("/batches/no-such-batch/redrive").then().statusCode(404);
        given().contentType(ContentType.JSON).body("{\"retries\": 99}").when().post("/batches/" + running + "/redrive")
                .then().statusCode(400).body("detail", containsString("retries: expected an integer from 0 to 10"));
        given().contentType(ContentType.JSON).body("{\"failFast\": true}").when().post("/batches/" + running
                + "/redrive").then().statusCode(400).body("detail", containsString("unknown field 'failFast'"));
    }

    @Test
    void moreFailuresThanToleratedEndTheBatch() {
        given().contentType(ContentType.JSON).body(flaky(4).replace("]}", "], \"toleratedFailureCount\": 1, "
                        + "\"maxConcurrency\": 1}"))
                .when().post("/batches?wait=30s").then().statusCode(200)
                .body("batch.state", is("FAILED")).body("batch.failed", is(2)).body("batch.cancelled", is(2))
                .body("results[4].error.message", containsString("more tasks failed than tolerated"));
        given().contentType(ContentType.JSON).body(flaky(1).replace("]}", "], \"toleratedFailurePercentage\": 101}"))
                .when().post("/batches").then().statusCode(400)
                .body("detail", containsString("toleratedFailurePercentage: expected a number from 0 to 100"));
    }
}
