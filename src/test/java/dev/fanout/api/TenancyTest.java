package dev.fanout.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two submitter keys and an admin over HTTP (this class: SQLite; subclasses in {@code api.stores}: memory and
 * PostgreSQL): each key sees only its own batches through every endpoint, another key's batch is 404 like an unknown
 * id, the admin sees all with their owners, and each quota trips with its 429 and recovers.
 */
@QuarkusTest
@Tag("quarkus")
@TestProfile(TenancyTest.TwoKeys.class)
public class TenancyTest {
    static final String ALICE = "alice-secret";
    static final String BOB = "bob-secret";
    static final String ROOT = "root-secret";
    static final String TIGHT = "tight-secret";
    static final String NARROW = "narrow-secret";
    static final String RATE = "rate-secret";

    /** /q/* is on the management interface, a port of its own. */
    @TestHTTPResource(management = true)
    URL management;

    /** alice (clear), bob (as a digest), root (admin), and three keys with one quota each. */
    public static class TwoKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return keys();
        }

        static Map<String, String> keys() {
            Map<String, String> c = new HashMap<>();
            c.put("fanout.auth.enabled", "true");
            c.put("fanout.auth.keys.alice.key", ALICE);
            c.put("fanout.auth.keys.bob.key", "sha256:" + sha256(BOB));
            c.put("fanout.auth.keys.root.key", ROOT);
            c.put("fanout.auth.keys.root.role", "admin");
            c.put("fanout.auth.keys.tight.key", TIGHT);
            c.put("fanout.auth.keys.tight.max-running", "1");
            c.put("fanout.auth.keys.narrow.key", NARROW);
            c.put("fanout.auth.keys.narrow.max-concurrency", "4");
            c.put("fanout.auth.keys.rate.key", RATE);
            c.put("fanout.auth.keys.rate.max-tasks-per-minute", "5");
            return c;
        }
    }

    /** The {@code sha256:} form's hex of a key, as an operator writes it with {@code sha256sum}. */
    public static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key);
    }

    static String sleeps(int n, String duration) {
        String task = "{\"function\": \"sleep\", \"input\": {\"duration\": \"" + duration + "\"}}";
        return "{\"tasks\": [" + String.join(",", java.util.Collections.nCopies(n, task)) + "]}";
    }

    /** A batch of {@code key} still running (its tasks sleep a minute): cancel it when done with it. */
    static String running(String key) {
        return as(key).contentType(ContentType.JSON).body(sleeps(2, "60s")).post("/batches")
                .then().statusCode(202).extract().path("id");
    }

    /** A finished batch of {@code key} with a failed task (a redrive has something to run). */
    static String failed(String key) {
        return as(key).contentType(ContentType.JSON)
                .body("{\"tasks\": [{\"function\": \"sleep\", \"input\": {\"duration\": \"1ms\"}}, "
                        + "{\"function\": \"flaky\", \"input\": {\"succeedOnAttempt\": 2}}]}")
                .post("/batches?wait=30s").then().statusCode(200).body("batch.state", is("FAILED"))
                .extract().path("batch.id");
    }

    /** The 404 problem an id gets, with the id itself taken out: a stranger's and an unknown id's must be equal. */
    static Map<String, Object> notFound(Response r, String id) {
        assertEquals(404, r.statusCode(), r.asString());
        assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
        Map<String, Object> problem = new HashMap<>(r.jsonPath().getMap(""));
        problem.replaceAll((k, v) -> v instanceof String s ? s.replace(id, "<id>") : v);
        return problem;
    }

    @Test
    void eachKeySeesOnlyItsOwnBatchesThroughEveryEndpoint() throws Exception {
        String live = running(ALICE);
        String done = failed(ALICE);
        String bobs = failed(BOB);
        String unknown = UUID.randomUUID().toString();
        try {
            for (String id : List.of(live, done)) {
                Map<String, Object> stranger = notFound(as(BOB).get("/batches/" + id), id);
                Map<String, Object> nobody = notFound(as(BOB).get("/batches/" + unknown), unknown);
                assertEquals(nobody, stranger, "another key's batch answers as an unknown id");
                notFound(as(BOB).accept("text/event-stream").get("/batches/" + id), id);
                notFound(as(BOB).get("/batches/" + id + "/results"), id);
                notFound(as(BOB).accept("text/event-stream").get("/batches/" + id + "/results"), id);
                notFound(as(BOB).accept("text/event-stream").header("Last-Event-ID", "1")
                        .get("/batches/" + id + "/results"), id);
                notFound(as(BOB).get("/batches/" + id + "/results?order=input&after=0"), id);
            }
            // cancel and redrive of a stranger's batch: 404, and nothing changed
            notFound(as(BOB).delete("/batches/" + live), live);
            notFound(as(BOB).contentType(ContentType.JSON).body("{}").post("/batches/" + live + "/redrive"), live);
            notFound(as(BOB).contentType(ContentType.JSON).body("{}").post("/batches/" + done + "/redrive"), done);
            as(ALICE).get("/batches/" + live).then().statusCode(200).body("state", is("RUNNING"))
                    .body("owner", is("alice"));
            as(ALICE).get("/batches/" + done).then().statusCode(200).body("state", is("FAILED"))
                    .body("failed", is(1));

            // lists: only one's own, and the total counts only those
            List<String> bobSees = as(BOB).get("/batches?limit=1000").then().statusCode(200)
                    .extract().path("batches.id");
            assertTrue(bobSees.contains(bobs), bobSees.toString());
            assertFalse(bobSees.contains(live) || bobSees.contains(done), bobSees.toString());
            assertEquals(bobSees.size(), as(BOB).get("/batches?limit=1000").then().extract().<Integer>path("total"));
            List<String> owners = as(BOB).get("/batches?limit=1000").then().extract().path("batches.owner");
            assertTrue(owners.stream().allMatch("bob"::equals), owners.toString());
            JsonNode page = firstEvent(BOB, "/batches?limit=1000");
            assertFalse(page.toString().contains(live) || page.toString().contains(done), page.toString());
            assertTrue(page.toString().contains(bobs), page.toString());

            // and the owner sees each of them through the same endpoints
            as(ALICE).get("/batches/" + done + "/results").then().statusCode(200);
            assertTrue(firstEvent(ALICE, "/batches/" + live).toString().contains(live));
            List<String> aliceSees = as(ALICE).get("/batches?limit=1000").then().extract().path("batches.id");
            assertTrue(aliceSees.containsAll(List.of(live, done)) && !aliceSees.contains(bobs), aliceSees.toString());
            as(ALICE).contentType(ContentType.JSON).body("{}").post("/batches/" + live + "/redrive")
                    .then().statusCode(409); // the owner learns that it still runs
            as(ALICE).contentType(ContentType.JSON).body("{}").post("/batches/" + done + "/redrive")
                    .then().statusCode(202);
        } finally {
            as(ALICE).delete("/batches/" + live).then().statusCode(200).body("state", is("CANCELLED"));
        }
    }

    @Test
    void anAdminSeesEveryBatchWithItsOwnerAndMayStopIt() {
        String alices = failed(ALICE);
        String bobs = running(BOB);
        Response page = as(ROOT).get("/batches?limit=1000");
        Map<String, String> ownerOf = new HashMap<>();
        List<Map<String, Object>> batches = page.jsonPath().getList("batches");
        batches.forEach(b -> ownerOf.put((String) b.get("id"), (String) b.get("owner")));
        assertEquals("alice", ownerOf.get(alices));
        assertEquals("bob", ownerOf.get(bobs));
        as(ROOT).get("/batches/" + alices + "/results").then().statusCode(200);
        as(ROOT).get("/batches/" + bobs).then().statusCode(200).body("owner", is("bob"));
        as(ROOT).delete("/batches/" + bobs).then().statusCode(200).body("state", is("CANCELLED"))
                .body("owner", is("bob"));
        as(BOB).get("/batches/" + bobs).then().statusCode(200).body("state", is("CANCELLED"));
    }

    @Test
    void anIdempotencyKeyIsEachKeysOwn() {
        String idem = UUID.randomUUID().toString();
        String a = as(ALICE).header("Idempotency-Key", idem).contentType(ContentType.JSON).body(sleeps(1, "1ms"))
                .post("/batches").then().statusCode(202).extract().path("id");
        String b = as(BOB).header("Idempotency-Key", idem).contentType(ContentType.JSON).body(sleeps(1, "1ms"))
                .post("/batches").then().statusCode(202).extract().path("id");
        assertNotEquals(a, b, "bob's request is not alice's");
        as(BOB).header("Idempotency-Key", idem).contentType(ContentType.JSON).body(sleeps(1, "1ms"))
                .post("/batches").then().statusCode(202).body("id", is(b));
        // a different body under the key: the 422 names the caller's own batch, never the other key's
        as(BOB).header("Idempotency-Key", idem).contentType(ContentType.JSON).body(sleeps(1, "2ms"))
                .post("/batches").then().statusCode(422).body("detail", containsString(b))
                .body(org.hamcrest.Matchers.not(containsString(a)));
    }

    @Test
    void aStreamedListKeepsItsCallersViewAfterTheRequestHasReturned() throws Exception {
        AtomicReference<String> bobsNew = new AtomicReference<>();
        CountDownLatch open = new CountDownLatch(1);
        CompletableFuture<List<JsonNode>> pages = CompletableFuture.supplyAsync(() -> {
            try {
                return events(BOB, "/batches?limit=1000", p -> {
                    open.countDown();
                    return bobsNew.get() != null && p.toString().contains(bobsNew.get());
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(open.await(30, TimeUnit.SECONDS), "bob's list stream sent its first page");
        String alices = failed(ALICE);
        bobsNew.set(failed(BOB));
        List<JsonNode> seen = pages.get(60, TimeUnit.SECONDS);
        JsonNode last = seen.getLast();
        assertTrue(last.toString().contains(bobsNew.get()), last.toString());
        seen.forEach(p -> assertFalse(p.toString().contains(alices), "bob's stream showed alice's batch: " + p));
    }

    @Test
    void anUnknownKeyIs401AndNeverEchoed() {
        as("sha256:" + sha256(BOB)).get("/batches").then().statusCode(401)
                .header("WWW-Authenticate", containsString("invalid_token"))
                .body("type", is("urn:fanout:problem:unauthenticated"));
        as("removed-secret").get("/batches/" + UUID.randomUUID()).then().statusCode(401)
                .body(org.hamcrest.Matchers.not(containsString("removed-secret")));
        as(BOB).get("/functions").then().statusCode(200);
    }

    @Test
    void maxRunningTripsWith429AndRecoversWhenABatchEnds() {
        String first = running(TIGHT);
        try {
            as(TIGHT).contentType(ContentType.JSON).body(sleeps(1, "1ms")).post("/batches").then().statusCode(429)
                    .contentType(containsString("application/problem+json"))
                    .header("Retry-After", is("5"))
                    .body("type", is("urn:fanout:problem:quota-max-running"))
                    .body("detail", containsString("fanout.auth.keys.tight.max-running"));
            // another key is not held back by tight's quota
            as(ALICE).contentType(ContentType.JSON).body(sleeps(1, "1ms")).post("/batches?wait=30s")
                    .then().statusCode(200);
        } finally {
            as(TIGHT).delete("/batches/" + first).then().statusCode(200);
        }
        as(TIGHT).contentType(ContentType.JSON).body(sleeps(1, "1ms")).post("/batches?wait=30s")
                .then().statusCode(200).body("batch.owner", is("tight"));
    }

    @Test
    void maxConcurrencyTripsWith429AndRecovers() {
        // no maxConcurrency given: a batch gets at most the key's quota, not the service's default
        String first = as(NARROW).contentType(ContentType.JSON).body(sleeps(10, "60s")).post("/batches")
                .then().statusCode(202).extract().path("id");
        try {
            as(NARROW).contentType(ContentType.JSON).body(sleeps(1, "1ms")).post("/batches").then().statusCode(429)
                    .header("Retry-After", is("5"))
                    .body("type", is("urn:fanout:problem:quota-max-concurrency"))
                    .body("detail", containsString("fanout.auth.keys.narrow.max-concurrency"));
            as(NARROW).contentType(ContentType.JSON).body(sleeps(1, "1ms")).post("/batches?maxConcurrency=5")
                    .then().statusCode(400).body("detail", containsString("fanout.auth.keys.narrow.max-concurrency"));
        } finally {
            as(NARROW).delete("/batches/" + first).then().statusCode(200);
        }
        as(NARROW).contentType(ContentType.JSON).body(sleeps(3, "1ms")).post("/batches?wait=30s&maxConcurrency=2")
                .then().statusCode(200);
        as(NARROW).contentType(ContentType.JSON).body(sleeps(8, "1ms")).post("/batches?wait=30s")
                .then().statusCode(200).body("batch.succeeded", is(8));
    }

    @Test
    void maxTasksPerMinuteTripsWith429() {
        String idem = UUID.randomUUID().toString();
        String first = as(RATE).header("Idempotency-Key", idem).contentType(ContentType.JSON)
                .body(sleeps(5, "1ms")).post("/batches").then().statusCode(202).extract().path("id");
        Response refused = as(RATE).contentType(ContentType.JSON).body(sleeps(1, "1ms")).post("/batches");
        assertEquals(429, refused.statusCode(), refused.asString());
        assertEquals("urn:fanout:problem:quota-max-tasks-per-minute", refused.path("type"));
        assertTrue(refused.<String>path("detail").contains("fanout.auth.keys.rate.max-tasks-per-minute"));
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
        // a retried request that was accepted still answers its batch: never a 429
        as(RATE).header("Idempotency-Key", idem).contentType(ContentType.JSON).body(sleeps(5, "1ms"))
                .post("/batches").then().statusCode(202).body("id", is(first));
        // more than the whole quota can never pass: 413, no point waiting
        as(RATE).contentType(ContentType.JSON).body(sleeps(6, "1ms")).post("/batches").then().statusCode(413)
                .body("detail", containsString("fanout.auth.keys.rate.max-tasks-per-minute"));
        // the window sliding on (a batch accepted once its tasks' minute has passed, at the Retry-After) is
        // StoreContractTest#tasksPerMinuteSlideWithTheWindowAndSayWhenToComeBack, on each store with its clock in hand
    }

    @Test
    void metricsCountByKeyNameNeverBySecret() {
        String series = "fanout_tasks_total{error=\"none\",key=\"alice\",state=\"SUCCEEDED\"}";
        double before = metric(series);
        as(ALICE).contentType(ContentType.JSON).body(sleeps(3, "1ms")).post("/batches?wait=30s")
                .then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> metric(series) - before == 3);
        String metrics = given().port(management.getPort()).get("/q/metrics").asString();
        assertTrue(metrics.contains("fanout_batches_finished_total{key=\"root\"}"), "every name's series exists");
        for (String secret : List.of(ALICE, BOB, ROOT, sha256(BOB))) {
            assertFalse(metrics.contains(secret), "a secret in the metrics");
        }
    }

    private double metric(String series) {
        return given().port(management.getPort()).get("/q/metrics").asString().lines()
                .filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim())).orElse(0.0);
    }

    private static JsonNode firstEvent(String key, String path) throws Exception {
        return events(key, path, e -> true).getFirst();
    }

    /** The data of each event of {@code path}'s stream as {@code key}, until {@code stop} accepts one. */
    private static List<JsonNode> events(String key, String path, Predicate<JsonNode> stop) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + path))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(60)).build();
        List<JsonNode> events = new java.util.ArrayList<>();
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<java.io.InputStream> response = client.send(request,
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith("data:")) {
                        JsonNode data = Json.mapper().readTree(line.substring(5));
                        events.add(data);
                        if (stop.test(data)) {
                            return events;
                        }
                    }
                }
            }
        }
        return events;
    }
}
