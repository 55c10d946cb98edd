package dev.fanout.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/** Every kind of bad input gets a 4xx problem+json that says what to fix. */
@QuarkusTest
@Tag("quarkus")
class BadRequestTest {

    static ValidatableResponse post(String path, String contentType, String body) {
        return given().contentType(contentType).body(body.getBytes(StandardCharsets.UTF_8)).when().post(path).then();
    }

    static ValidatableResponse problem(ValidatableResponse r, int status, String type) {
        return r.statusCode(status)
                .contentType(startsWith("application/problem+json"))
                .body("status", is(status))
                .body("type", is("urn:fanout:problem:" + type));
    }

    @Test
    void malformedJsonSaysWhere() {
        problem(post("/batches", "application/json", "{\"tasks\": [\n{\"function\": \"sleep\",}]}"), 400,
                "malformed-json")
                .body("detail", containsString("line 2, column"))
                .body("instance", is("/batches"));
        problem(post("/batches", "application/x-ndjson", "{\"function\": \"sleep\"\n"), 400, "malformed-json");
        problem(post("/batches", "application/json", "[]"), 400, "malformed-json")
                .body("detail", containsString("expected a JSON object"));
    }

    @Test
    void unknownFunctionNamesTheKnownOnes() {
        problem(post("/batches", "application/json", "{\"tasks\": [{\"function\": \"slep\"}]}"), 400, "invalid-tasks")
                .body("detail", containsString("unknown function 'slep'"))
                .body("detail", containsString("known functions: "))
                .body("detail", containsString("primes"))
                .body("detail", containsString("sleep"))
                .body("errors[0].index", is(0));
    }

    @Test
    void invokeIsRefusedUntilFunctionsAreAllowed() {
        problem(post("/batches", "application/json", "{\"tasks\": [{\"function\": \"invoke\", \"input\": "
                + "{\"functionName\": \"order-check\"}}]}"), 400, "invalid-tasks")
                .body("errors[0].message", containsString("invoke is disabled on this service: allow functions with "
                        + "fanout.invoke.allowed-functions"));
    }

    @Test
    void duplicateIdsAreRefused() {
        problem(post("/batches", "application/json", "{\"tasks\": [{\"id\": \"a\", \"function\": \"noop\"}, "
                + "{\"id\": \"a\", \"function\": \"noop\"}]}"), 400, "invalid-tasks")
                .body("errors[0].index", is(1))
                .body("errors[0].message", containsString("duplicate id 'a'"));
    }

    @Test
    void badInputIsRefusedBeforeAnythingRuns() {
        problem(post("/batches", "application/x-ndjson", "{\"function\": \"sleep\", \"input\": {\"duration\": "
                + "\"1ms\"}}\n{\"function\": \"sleep\", \"input\": {\"duration\": \"soon\"}}\n"), 400, "invalid-tasks")
                .body("errors[0].message", containsString("line 2: input.duration: expected a duration"));
        problem(post("/batches", "application/json", "{\"tasks\": [{\"function\": \"noop\", \"extra\": 1}]}"), 400,
                "invalid-tasks").body("detail", containsString("unknown field 'extra'"));
        problem(post("/batches", "application/json", "{\"tasks\": [5]}"), 400, "invalid-tasks")
                .body("detail", containsString("expected a task object"));
    }

    @Test
    void badOptionsSayTheAllowedRange() {
        String one = "{\"tasks\": [{\"function\": \"noop\"}], ";
        problem(post("/batches", "application/json", one + "\"taskTimeout\": \"soon\"}"), 400, "invalid-option")
                .body("detail", containsString("taskTimeout: expected a duration such as 250ms"));
        problem(post("/batches", "application/json", one + "\"maxConcurrency\": 0}"), 400, "invalid-option")
                .body("detail", containsString("maxConcurrency: expected an integer from 1 to"));
        problem(post("/batches", "application/json", one + "\"retries\": 99}"), 400, "invalid-option")
                .body("detail", containsString("retries: expected an integer from 0 to 10"));
        problem(post("/batches", "application/json", one + "\"failFast\": \"yes\"}"), 400, "invalid-option")
                .body("detail", containsString("failFast"));
        problem(post("/batches", "application/json", one + "\"cpuBackend\": \"gpu\"}"), 400, "invalid-option")
                .body("detail", containsString("available: "));
        problem(post("/batches", "application/json", one + "\"taskTimeout\": \"3h\"}"), 400, "invalid-option")
                .body("detail", containsString("at most 1h"));
        problem(post("/batches", "application/json", one + "\"taskTimout\": \"3s\"}"), 400, "unknown-field")
                .body("detail", containsString("unknown field 'taskTimout'"));
        problem(post("/batches?retries=1", "application/json", one + "\"retries\": 2}"), 400, "invalid-option")
                .body("detail", containsString("given both in the body and as a query parameter"));
        problem(post("/batches?wait=1h", "application/json", one.replace(", ", "}")), 400, "invalid-option")
                .body("detail", containsString("wait: at most 5m"));
    }

    @Test
    void emptyBatchesAreRefused() {
        problem(post("/batches", "application/json", "{\"tasks\": []}"), 400, "no-tasks");
        problem(post("/batches", "application/json", "{}"), 400, "no-tasks");
        problem(post("/batches", "application/x-ndjson", "\n"), 400, "no-tasks");
    }

    @Test
    void batchesOverTheTaskLimitAre413() {
        String body = IntStream.range(0, 20_001).mapToObj(i -> "{\"function\":\"noop\"}")
                .collect(Collectors.joining("\n"));
        problem(post("/batches", "application/x-ndjson", body), 413, "too-large")
                .body("detail", containsString("more than 20000 tasks (fanout.batch.max-tasks)"));
    }

    @Test
    void unsupportedMediaTypeIs415() {
        problem(post("/batches", "text/csv", "a,b"), 415, "unsupported-media-type")
                .body("detail", containsString("application/x-ndjson"));
    }

    @Test
    void unknownBatchesAre404() {
        problem(given().when().get("/batches/nope").then(), 404, "not-found")
                .body("detail", containsString("no batch with id 'nope'"));
        problem(given().when().delete("/batches/nope").then(), 404, "not-found");
        problem(given().when().get("/batches/nope/results").then(), 404, "not-found");
    }

    @Test
    void badQueryParametersAre400() {
        problem(given().when().get("/batches?limit=abc").then(), 400, "invalid-option")
                .body("detail", containsString("limit: expected an integer from 1 to 1000"));
        String id = given().contentType(ContentType.JSON).body("{\"tasks\": [{\"function\": \"noop\"}]}")
                .when().post("/batches").then().statusCode(202).extract().path("id");
        problem(given().when().get("/batches/" + id + "/results?order=random").then(), 400, "invalid-option")
                .body("detail", containsString("'completion' (the default) or 'input'"));
    }

    @Test
    void wrongPathsAndMethodsAreProblemsToo() {
        problem(given().when().get("/nowhere").then(), 404, "not-found");
        problem(given().when().put("/batches").then(), 405, "method-not-allowed");
    }
}
