package dev.fanout.service;

import dev.fanout.testing.SpanRecorder;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without an OTLP endpoint (the default) the OpenTelemetry SDK is off: a batch on worker processes, sent over HTTP,
 * makes no span that any processor sees ({@link TracingOnTest} shows the same recorder seeing them once it is on).
 */
@QuarkusTest
@Tag("quarkus")
class TracingOffTest {
    @Inject
    SpanRecorder spans;

    @Test
    void withoutAnEndpointTheSdkIsOffAndNoSpanIsRecorded() {
        assertTrue(ConfigProvider.getConfig().getValue("quarkus.otel.sdk.disabled", Boolean.class));
        given().contentType(ContentType.JSON)
                .body("{\"tasks\": [" + TracingOnTest.primes(4) + "], \"cpuBackend\": \"processes\", \"chunkSize\": 2}")
                .when().post("/batches?wait=60s")
                .then().statusCode(200).body("batch.state", is("SUCCEEDED"));
        // with the SDK on, the chunks' spans (at least) have ended by now: they end before their tasks' results
        assertEquals(List.of(), spans.ended());
    }
}
