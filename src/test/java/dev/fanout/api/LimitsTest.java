package dev.fanout.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/** Every limit answers with a problem that names it. */
@QuarkusTest
@Tag("quarkus")
@TestProfile(LimitsTest.Small.class)
class LimitsTest {

    public static class Small implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fanout.api.max-body-bytes", "4000", "fanout.batch.max-task-input-bytes", "300",
                    "fanout.batch.max-running", "1", "fanout.http.allow-private-addresses", "false",
                    "fanout.invoke.allowed-functions", "order-*");
        }
    }

    @Test
    void aBodyOverTheLimitIs413() {
        String big = "{\"function\": \"noop\", \"input\": \"" + "x".repeat(200) + "\"}\n";
        given().contentType("application/x-ndjson").body(big.repeat(30).getBytes())
                .when().post("/batches").then().statusCode(413)
                .contentType(startsWith("application/problem+json"))
                .body("detail", containsString("over 4000 bytes (fanout.api.max-body-bytes)"));
    }

    @Test
    void aTaskOverTheLimitIs413() {
        given().contentType(ContentType.JSON)
                .body("{\"tasks\": [{\"function\": \"noop\", \"input\": \"" + "y".repeat(400) + "\"}]}")
                .when().post("/batches").then().statusCode(413)
                .body("detail", containsString("tasks[0] is"))
                .body("detail", containsString("fanout.batch.max-task-input-bytes"));
    }

    @Test
    void batchesBeyondTheRunningLimitAre429() {
        String id = given().contentType(ContentType.JSON)
                .body("{\"tasks\": [{\"function\": \"sleep\", \"input\": {\"duration\": \"1h\"}}]}")
                .when().post("/batches").then().statusCode(202).extract().path("id");
        given().contentType(ContentType.JSON).body("{\"tasks\": [{\"function\": \"noop\"}]}")
                .when().post("/batches").then().statusCode(429)
                .header("Retry-After", is("5"))
                .body("detail", containsString("fanout.batch.max-running"));
        given().when().delete("/batches/" + id).then().statusCode(200);
        given().contentType(ContentType.JSON).body("{\"tasks\": [{\"function\": \"noop\"}]}")
                .when().post("/batches?wait=30s").then().statusCode(200);
    }

    @Test
    void execIsOffUntilProgramsAreAllowlisted() {
        given().contentType(ContentType.JSON)
                .body("{\"tasks\": [{\"function\": \"exec\", \"input\": {\"argv\": [\"/bin/echo\", \"hi\"]}}]}")
                .when().post("/batches").then().statusCode(400)
                .body("detail", containsString("exec is disabled"));
    }

    @Test
    void invokeTasksReachOnlyTheAllowedFunctions() {
        given().contentType(ContentType.JSON)
                .body("{\"tasks\": [{\"function\": \"invoke\", \"input\": {\"functionName\": \"order-check\"}}, "
                        + "{\"function\": \"invoke\", \"input\": {\"functionName\": \"billing\"}}]}")
                .when().post("/batches").then().statusCode(400)
                .contentType(startsWith("application/problem+json"))
                .body("errors.size()", is(1))
                .body("errors[0].index", is(1))
                .body("errors[0].message", containsString("input.functionName: 'billing' is not allowed; add it to "
                        + "fanout.invoke.allowed-functions (names or ARN patterns)"));
    }

    @Test
    void httpTasksCannotReachMetadataOrPrivateAddresses() {
        given().contentType(ContentType.JSON)
                .body("{\"tasks\": [{\"function\": \"http\", \"input\": {\"url\": \"http://169.254.169.254/\"}}]}")
                .when().post("/batches").then().statusCode(400)
                .body("detail", containsString("link-local"));
        given().contentType(ContentType.JSON)
                .body("{\"tasks\": [{\"function\": \"http\", \"input\": {\"url\": \"http://localhost:1/\"}}]}")
                .when().post("/batches?wait=30s").then().statusCode(200)
                .body("results[0].error.type", is("INVALID_INPUT"))
                .body("results[0].error.message", containsString("loopback"));
    }
}
