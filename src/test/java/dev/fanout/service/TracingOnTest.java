package dev.fanout.service;

import com.sun.net.httpserver.HttpServer;
import dev.fanout.execution.process.ProcessBackend;
import dev.fanout.testing.SpanRecorder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With an OTLP endpoint configured (the one switch) the service traces: the HTTP request, the batch it submits (linked
 * to it) and the batch's chunks, parented to the batch span although worker processes' chunks are sent from another
 * thread. They reach the endpoint, a stand-in collector that keeps the OTLP/HTTP requests.
 */
@QuarkusTest
@Tag("quarkus")
@TestProfile(TracingOnTest.WithCollector.class)
class TracingOnTest {

    public static class WithCollector implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Collector.class));
        }
    }

    /** Answers every OTLP/HTTP export 200 and keeps its body (protobuf: attribute strings stay readable). */
    public static class Collector implements QuarkusTestResourceLifecycleManager {
        static final List<String> EXPORTS = new CopyOnWriteArrayList<>();
        private HttpServer server;

        @Override
        public Map<String, String> start() {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            server.createContext("/", exchange -> {
                try (InputStream body = exchange.getRequestBody()) {
                    EXPORTS.add(exchange.getRequestURI().getPath() + " "
                            + new String(body.readAllBytes(), StandardCharsets.ISO_8859_1));
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
            return Map.of("quarkus.otel.exporter.otlp.traces.endpoint",
                    "http://127.0.0.1:" + server.getAddress().getPort(),
                    "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                    "quarkus.otel.bsp.schedule.delay", "50ms");
        }

        @Override
        public void stop() {
            server.stop(0);
        }
    }

    @Inject
    SpanRecorder spans;

    static String primes(int n) {
        return IntStream.range(0, n).mapToObj(i -> "{\"function\": \"primes\", \"input\": {\"limit\": 1000}}")
                .collect(Collectors.joining(","));
    }

    @Test
    void anEndpointTurnsTracingOnAndBatchesAndChunksAreExported() {
        assertFalse(ConfigProvider.getConfig().getValue("quarkus.otel.sdk.disabled", Boolean.class));
        String id = given().contentType(ContentType.JSON)
                .body("{\"tasks\": [" + primes(6) + "], \"cpuBackend\": \"processes\", \"chunkSize\": 2}")
                .when().post("/batches?wait=60s")
                .then().statusCode(200).body("batch.state", is("SUCCEEDED"))
                .extract().path("batch.id");

        await().atMost(Duration.ofSeconds(10)).until(() -> !spans.named("fanout.batch").isEmpty());
        SpanData batch = spans.named("fanout.batch").getFirst();
        assertEquals(id, batch.getAttributes().get(TracingListener.BATCH_ID));
        assertEquals(6L, batch.getAttributes().get(TracingListener.SUCCEEDED));
        SpanData request = spans.ended().stream()
                .filter(s -> s.getKind() == SpanKind.SERVER && s.getName().contains("/batches")).findFirst()
                .orElseThrow(() -> new AssertionError("no HTTP server span: " + spans.ended()));
        assertEquals(List.of(request.getSpanContext()),
                batch.getLinks().stream().map(LinkData::getSpanContext).toList(), "linked to its request");
        List<SpanData> chunks = spans.named("fanout.chunk");
        assertEquals(6L, chunks.stream().mapToLong(c -> c.getAttributes().get(TracingListener.CHUNK_TASKS)).sum());
        for (SpanData chunk : chunks) {
            assertEquals(batch.getSpanId(), chunk.getParentSpanId());
            assertEquals(ProcessBackend.NAME, chunk.getAttributes().get(TracingListener.BACKEND));
            assertEquals(id, chunk.getAttributes().get(TracingListener.BATCH_ID));
        }

        // exported over OTLP: the batch span and each chunk span carry the batch's id
        await().atMost(Duration.ofSeconds(20)).until(() -> occurrences(id) >= 1 + chunks.size());
        String all = String.join("\n", Collector.EXPORTS);
        assertTrue(all.contains("/v1/traces"), "OTLP/HTTP traces path");
        for (String expected : List.of("fanout.batch", "fanout.chunk", "fanout.chunk.outcome", "answered")) {
            assertTrue(all.contains(expected), expected + " exported");
        }
    }

    private static long occurrences(String text) {
        long n = 0;
        for (String export : Collector.EXPORTS) {
            for (int i = export.indexOf(text); i >= 0; i = export.indexOf(text, i + 1)) {
                n++;
            }
        }
        return n;
    }
}
