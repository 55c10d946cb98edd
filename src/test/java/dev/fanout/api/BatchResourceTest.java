package dev.fanout.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batch API as a client uses it. */
@QuarkusTest
@Tag("quarkus")
public class BatchResourceTest {
    /** /q/* is on the management interface, a port of its own. */
    @TestHTTPResource(management = true)
    URL management;

    static String sleeps(String... durations) {
        return Arrays.stream(durations)
                .map(d -> "{\"function\": \"sleep\", \"input\": {\"duration\": \"" + d + "\"}}")
                .collect(Collectors.joining(",", "{\"tasks\": [", "]}"));
    }

    static String submit(String body) {
        return given().contentType(ContentType.JSON).body(body)
                .when().post("/batches")
                .then().statusCode(202).extract().path("id");
    }

    static List<JsonNode> lines(String ndjson) {
        return ndjson.lines().filter(l -> !l.isBlank()).map(l -> {
            try {
                return Json.mapper().readTree(l.startsWith("data:") ? l.substring(5) : l);
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
    }

    @Test
    void answersResultsInInputOrderWhenAskedToWait() {
        given().contentType(ContentType.JSON)
                .body("{\"tasks\": [{\"id\": \"a\", \"function\": \"sleep\", \"input\": {\"duration\": \"200ms\"}},"
                        + "{\"function\": \"primes\", \"input\": {\"limit\": 1000}},"
                        + "{\"id\": \"c\", \"function\": \"sha256\", \"input\": {\"data\": \"hello\"}}]}")
                .when().post("/batches?wait=30s")
                .then().statusCode(200)
                .body("batch.state", is("SUCCEEDED"))
                .body("batch.total", is(3))
                .body("batch.succeeded", is(3))
                .body("results.id", equalTo(List.of("a", "1", "c")))
                .body("results[0].output.sleptMs", greaterThanOrEqualTo(200))
                .body("results[0].backend", is("virtual-thread"))
                .body("results[1].output.count", is(168))
                .body("results[2].output.hex", startsWith("2cf24dba"))
                .body("results.error", everyItem(is((Object) null)))
                .body("results.attempts", everyItem(is(1)));
    }

    @Test
    void acceptsABatchWith202AndALocationToWatchIt() {
        Response r = given().contentType(ContentType.JSON).body(sleeps("1h"))
                .when().post("/batches");
        r.then().statusCode(202).body("state", is("RUNNING")).body("total", is(1));
        String id = r.path("id");
        assertEquals("/batches/" + id, r.header("Location"));
        given().when().get(r.header("Location"))
                .then().statusCode(200)
                .body("id", is(id)).body("state", is("RUNNING")).body("total", is(1))
                .body("succeeded", is(0)).body("finishedAt", is((Object) null));
        given().when().delete("/batches/" + id).then().statusCode(200);
    }

    @Test
    void answers202WhenTheWaitRunsOut() {
        String id = given().contentType(ContentType.JSON).body(sleeps("1h"))
                .when().post("/batches?wait=100ms")
                .then().statusCode(202).body("state", is("RUNNING")).extract().path("id");
        given().when().delete("/batches/" + id).then().statusCode(200);
    }

    @Test
    void acceptsNdjsonWithOptionsAsQueryParameters() {
        String body = "{\"id\": \"quick\", \"function\": \"sleep\", \"input\": {\"duration\": \"1ms\"}}\n"
                + "{\"id\": \"slow\", \"function\": \"sleep\", \"input\": {\"duration\": \"1h\"}}\n";
        given().contentType("application/x-ndjson").body(body.getBytes(StandardCharsets.UTF_8))
                .when().post("/batches?wait=30s&taskTimeout=300ms&maxConcurrency=5")
                .then().statusCode(200)
                .body("batch.state", is("FAILED"))
                .body("results[0].state", is("SUCCEEDED"))
                .body("results[1].state", is("FAILED"))
                .body("results[1].error.type", is("TIMEOUT"));
    }

    @Test
    void retriesAndFailsFastOnRequest() {
        given().contentType(ContentType.JSON)
                .body("{\"tasks\": [{\"function\": \"flaky\", \"input\": {\"succeedOnAttempt\": 2}}], \"retries\": 1}")
                .when().post("/batches?wait=30s")
                .then().statusCode(200).body("results[0].state", is("SUCCEEDED")).body("results[0].attempts", is(2));
        given().contentType(ContentType.JSON)
                .body("{\"tasks\": [{\"function\": \"fail\"}, {\"function\": \"sleep\", \"input\": {\"duration\": "
                        + "\"1h\"}}], \"failFast\": true}")
                .when().post("/batches?wait=30s")
                .then().statusCode(200)
                .body("batch.state", is("FAILED"))
                .body("results[0].error.type", is("FUNCTION_ERROR"))
                .body("results[1].state", is("CANCELLED"))
                .body("results[1].error.type", is("CANCELLED"));
    }

    @Test
    void streamsResultsInCompletionOrderAsNdjsonByDefault() {
        String id = submit(sleeps("800ms", "1ms", "400ms"));
        Response r = given().when().get("/batches/" + id + "/results");
        r.then().statusCode(200).contentType(startsWith("application/x-ndjson"));
        assertEquals(List.of("1", "2", "0"), lines(r.asString()).stream().map(n -> n.get("id").asText()).toList());
    }

    @Test
    void streamsServerSentEventsInInputOrderOnRequest() {
        String id = submit(sleeps("400ms", "1ms"));
        Response r = given().accept("text/event-stream").when().get("/batches/" + id + "/results?order=input");
        r.then().statusCode(200).contentType(startsWith("text/event-stream"));
        List<ResultStreamTest.Event> events = ResultStreamTest.events(r.asString());
        assertEquals(List.of("0", "1"), events.stream().filter(e -> e.name() == null)
                .map(e -> e.json().get("id").asText()).toList());
        assertEquals("end", events.getLast().name());
    }

    @Test
    void streamsResultsThatCompletedBeforeTheCall() {
        String id = given().contentType(ContentType.JSON).body(sleeps("1ms", "2ms", "3ms"))
                .when().post("/batches?wait=30s").then().statusCode(200).extract().path("batch.id");
        assertEquals(3, lines(given().when().get("/batches/" + id + "/results").asString()).size());
    }

    @Test
    void cancelsPendingAndRunningTasks() {
        String id = given().contentType(ContentType.JSON).body(sleeps("1h", "1h", "1h", "1h"))
                .when().post("/batches?maxConcurrency=2").then().statusCode(202).extract().path("id");
        given().when().delete("/batches/" + id)
                .then().statusCode(200)
                .body("state", is("CANCELLED")).body("cancelled", is(4)).body("pending", is(0));
        List<JsonNode> results = lines(given().when().get("/batches/" + id + "/results").asString());
        assertEquals(4, results.size());
        results.forEach(n -> assertEquals("CANCELLED", n.get("error").get("type").asText()));
    }

    @Test
    void listsRecentBatchesNewestFirst() {
        String first = submit(sleeps("1ms"));
        String second = submit(sleeps("1ms"));
        given().when().get("/batches?limit=2")
                .then().statusCode(200)
                .body("batches.id", equalTo(List.of(second, first)))
                .body("limit", is(2)).body("offset", is(0));
    }

    @Test
    void describesTheFunctions() {
        given().when().get("/functions")
                .then().statusCode(200)
                .body("name", hasItems("sleep", "http", "primes", "sha256", "invoke"))
                .body("find { it.name == 'invoke' }.kind", is("IO"))
                .body("find { it.name == 'sleep' }.kind", is("IO"))
                .body("find { it.name == 'primes' }.kind", is("CPU"))
                .body("find { it.name == 'primes' }.example.limit", is(1000));
    }

    @Test
    void runsTenThousandOneSecondSleepsConcurrently() {
        String body = IntStream.range(0, 10_000).mapToObj(i -> "{\"function\":\"sleep\",\"input\":{\"duration\":\"1s\"}}")
                .collect(Collectors.joining("\n"));
        // loose bound: one after the other these would take 2.8 hours; the tight figure is in bench/
        given().contentType("application/x-ndjson").body(body.getBytes(StandardCharsets.UTF_8))
                .when().post("/batches?wait=60s")
                .then().statusCode(200)
                .body("batch.succeeded", is(10_000))
                .body("results.size()", is(10_000))
                .body("results[9999].id", is("9999"));
    }

    @Test
    void reportsReadinessAndMetrics() {
        given().port(management.getPort()).when().get("/q/health/ready").then().statusCode(200)
                .body("status", is("UP"));
        // by the batch's key name: anonymous with authentication off
        String succeeded = "fanout_tasks_total{error=\"none\",key=\"anonymous\",state=\"SUCCEEDED\"}";
        String timedOut = "fanout_tasks_total{error=\"TIMEOUT\",key=\"anonymous\",state=\"FAILED\"}";
        double succeededBefore = metric(succeeded);
        double timedOutBefore = metric(timedOut);
        given().contentType(ContentType.JSON).body(sleeps("1ms", "1ms", "1ms", "10s", "10s"))
                .when().post("/batches?wait=30s&taskTimeout=200ms").then().statusCode(200);
        // every finished task counted once, by state and error type
        assertEquals(3, metric(succeeded) - succeededBefore);
        assertEquals(2, metric(timedOut) - timedOutBefore);
    }

    /** A series' value on /q/metrics; 0 while it does not exist yet. */
    private double metric(String series) {
        String metrics = given().port(management.getPort()).when().get("/q/metrics").asString();
        return metrics.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim())).orElse(0.0);
    }

    @Test
    void a429IsTriedAgainAndShownPerHostInTheMetrics() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            if (calls.incrementAndGet() == 1) {
                exchange.getResponseHeaders().add("Retry-After", "0");
                exchange.sendResponseHeaders(429, -1);
            } else {
                exchange.sendResponseHeaders(204, -1);
            }
            exchange.close();
        });
        server.start();
        try {
            String host = "127.0.0.1:" + server.getAddress().getPort();
            given().contentType(ContentType.JSON).body("{\"retries\": 1, \"tasks\": [{\"function\": \"http\", "
                            + "\"input\": {\"url\": \"http://" + host + "/\"}}]}")
                    .when().post("/batches?wait=30s")
                    .then().statusCode(200)
                    .body("batch.succeeded", is(1))
                    .body("results[0].attempts", is(2))
                    .body("results[0].output.status", is(204));
            String metrics = given().port(management.getPort()).when().get("/q/metrics").asString();
            assertTrue(metrics.contains("fanout_http_throttles_total{host=\"" + host + "\"} 1.0"), metrics);
            assertTrue(metrics.contains("fanout_http_host_limit{host=\"" + host + "\"}"), metrics);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aClientThatLeavesMidStreamDoesNotStopTheBatch() throws Exception {
        String id = submit(sleeps("1ms", "300ms", "600ms"));
        java.net.URI uri = java.net.URI.create("http://localhost:" + io.restassured.RestAssured.port + "/batches/" + id
                + "/results");
        try (java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient()) {
            var response = client.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(response.body()))) {
                assertTrue(in.readLine().contains("\"id\":\"0\""));
            } // the client hangs up after the first result
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> "SUCCEEDED".equals(given().when().get("/batches/" + id).path("state")));
        assertEquals(3, lines(given().when().get("/batches/" + id + "/results").asString()).size());
    }
}
