package dev.fanout.api;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/** Workers that cannot start: readiness goes DOWN and CPU batches are refused with a clear 503, IO ones still run. */
@QuarkusTest
@Tag("quarkus")
@TestProfile(UnavailableBackendTest.BrokenWorkers.class)
class UnavailableBackendTest {
    /** /q/* is on the management interface, a port of its own. */
    @TestHTTPResource(management = true)
    URL management;

    public static class BrokenWorkers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fanout.processes.jvm-options", "-XX:+NoSuchOption",
                    "fanout.processes.restart-backoff", "1h");
        }
    }

    @Test
    void refusesCpuBatchesAndReportsNotReady() {
        await().atMost(Duration.ofSeconds(60)).until(() ->
                given().port(management.getPort()).when().get("/q/health/ready").statusCode() == 503);
        given().port(management.getPort()).when().get("/q/health/ready").then()
                .body("checks.find { it.name == 'fanout-backends' }.data.processes", containsString("keep failing at start-up"));
        given().contentType(ContentType.JSON).body("{\"tasks\": [{\"function\": \"primes\", \"input\": {\"limit\": 10}}]}")
                .when().post("/batches")
                .then().statusCode(503)
                .contentType(startsWith("application/problem+json"))
                .body("type", is("urn:fanout:problem:backend-unavailable"))
                .body("detail", containsString("NoSuchOption"))
                .body("detail", containsString("choose another cpuBackend"));
        given().contentType(ContentType.JSON)
                .body("{\"tasks\": [{\"function\": \"primes\", \"input\": {\"limit\": 10}}], \"cpuBackend\": \"threads\"}")
                .when().post("/batches?wait=30s")
                .then().statusCode(200).body("results[0].output.count", is(4));
        given().contentType(ContentType.JSON).body("{\"tasks\": [{\"function\": \"sleep\", \"input\": {\"duration\": \"1ms\"}}]}")
                .when().post("/batches?wait=30s")
                .then().statusCode(200);
    }
}
