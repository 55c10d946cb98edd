package dev.fanout.packaged;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/**
 * The packaged application (the jar, or the native binary in the hosted CI's native job), as a user runs it:
 * CPU tasks go to worker processes started from the same artifact with the {@code worker} argument.
 */
@QuarkusIntegrationTest
@WithTestResource(ManagementPort.class)
class PackagedServiceIT {
    @ManagementPort.Port
    int managementPort;

    @Test
    void runsCpuTasksOnWorkerProcessesStartedFromTheSameArtifact() {
        given().contentType(ContentType.JSON)
                .body("{\"tasks\": [{\"function\": \"primes\", \"input\": {\"limit\": 1000}},"
                        + "{\"function\": \"sha256\", \"input\": {\"data\": \"hello\"}},"
                        + "{\"function\": \"sleep\", \"input\": {\"duration\": \"10ms\"}}]}")
                .when().post("/batches?wait=60s")
                .then().statusCode(200)
                .body("batch.state", is("SUCCEEDED"))
                .body("results[0].output.count", is(168))
                .body("results[0].backend", startsWith("process:"))
                .body("results[1].backend", startsWith("process:"))
                .body("results[2].backend", is("virtual-thread"));
    }

    @Test
    void isReadyWithItsPool() {
        given().port(managementPort).when().get("/q/health/ready").then().statusCode(200)
                .body("checks.status", everyItem(is("UP")));
    }

    @Test
    void answersBadInputWithProblems() {
        given().contentType(ContentType.JSON).body("{\"tasks\": [{\"function\": \"nope\"}]}")
                .when().post("/batches")
                .then().statusCode(400).contentType(startsWith("application/problem+json"));
    }
}
