package dev.fanout.api;

import dev.fanout.testing.lambda.Emulators;
import dev.fanout.testing.lambda.LambdaEmulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;

/** A batch with {@code "cpuBackend": "lambda"} through the API, the service pointed at the emulator. */
@QuarkusTest
@Tag("quarkus")
@TestProfile(LambdaApiTest.WithEmulator.class)
class LambdaApiTest {
    /** /q/* is on the management interface, a port of its own. */
    @TestHTTPResource(management = true)
    URL management;

    public static class WithEmulator implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(EmulatorResource.class));
        }
    }

    public static class EmulatorResource implements QuarkusTestResourceLifecycleManager {
        private LambdaEmulator emulator;

        @Override
        public Map<String, String> start() {
            emulator = Emulators.start(Emulators.worker().withReservedConcurrency(2));
            return Map.of("fanout.lambda.function-name", Emulators.FUNCTION,
                    "fanout.lambda.region", "us-east-1",
                    "fanout.lambda.endpoint-override", emulator.endpoint().toString(),
                    "fanout.lambda.max-concurrency", "8");
        }

        @Override
        public void stop() {
            try {
                emulator.close();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void runsCpuTasksAsLambdaInvocations() {
        String tasks = IntStream.range(0, 50).mapToObj(i -> "{\"function\": \"primes\", \"input\": {\"limit\": 1000}}")
                .collect(Collectors.joining(","));
        given().contentType(ContentType.JSON)
                .body("{\"tasks\": [" + tasks + "], \"cpuBackend\": \"lambda\"}")
                .when().post("/batches?wait=60s")
                .then().statusCode(200)
                .body("batch.state", is("SUCCEEDED"))
                .body("results.output.count", everyItem(is(168)))
                .body("results.backend", everyItem(matchesPattern("lambda:[0-9a-f-]{36}")));
        given().port(management.getPort()).when().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'fanout-backends' }.data.lambda", is("UP"));
    }
}
