package dev.fanout.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.fanout.api.TenancyTest.ALICE;
import static dev.fanout.api.TenancyTest.BOB;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A generated corpus of bad requests, sent over HTTP with two keys configured (TenancyTest's): every one gets a 4xx
 * problem+json that says what to fix, never a 5xx, never a hang; a bad or unknown key is 401, another key's batch 404
 * on every path. (The coverage-guided fuzzing of the same parsing is RequestParsingFuzzTest.)
 */
@QuarkusTest
@Tag("quarkus")
@TestProfile(TenancyTest.TwoKeys.class)
public class BadInputCorpusTest {
    private static final String VALID = "{\"tasks\": [{\"id\": \"a\", \"function\": \"sleep\", \"input\": {\"duration\": "
            + "\"10ms\"}}, {\"function\": \"primes\", \"input\": {\"limit\": 1000}}], \"maxConcurrency\": 10, "
            + "\"taskTimeout\": \"30s\", \"retries\": 1, \"failFast\": false}";

    /** Deterministic: the same corpus every run, so that a failure can be replayed (NativeMatchesJvmIT sends it too). */
    public static List<String> corpus() {
        List<String> bad = new ArrayList<>();
        for (int cut = 1; cut < VALID.length() - 1; cut += 3) {
            bad.add(VALID.substring(0, cut)); // truncated anywhere
        }
        String[] wrongValues = {"null", "true", "-1", "0", "1e400", "99999999999999999999999", "\"\"", "\"x\"", "[]",
                "{}", "[[[[]]]]", "\"" + "z".repeat(5000) + "\"", "\"\\ud800\"", "NaN", "\"-5s\"", "\"PT-1S\""};
        String[] fields = {"maxConcurrency", "taskTimeout", "retries", "failFast", "cpuBackend", "chunkSize"};
        for (String field : fields) {
            for (String value : wrongValues) {
                bad.add("{\"tasks\": [{\"function\": \"noop\"}], \"" + field + "\": " + value + "}");
            }
        }
        String[] taskPrefixes = {"{\"function\": ", "{\"function\": \"sleep\", \"input\": ",
                "{\"function\": \"sleep\", \"input\": {\"duration\": ", "{\"function\": \"noop\", \"id\": ",
                "{\"function\": \"http\", \"input\": {\"url\": ", "{\"function\": \"primes\", \"input\": {\"limit\": "};
        for (String prefix : taskPrefixes) {
            for (String value : wrongValues) {
                String task = prefix + value + (prefix.endsWith("{\"duration\": ") || prefix.endsWith("{\"url\": ")
                        || prefix.endsWith("{\"limit\": ") ? "}}" : "}");
                if (!task.equals("{\"function\": \"sleep\", \"input\": {\"duration\": \"x\"}}")) {
                    bad.add("{\"tasks\": [" + task + "]}");
                }
            }
        }
        bad.add("{\"tasks\": [" + "[".repeat(5000) + "]".repeat(5000) + "]}"); // deep nesting
        bad.add("{\"tasks\": [{\"id\": \"d\", \"function\": \"noop\"}, {\"id\": \"d\", \"function\": \"noop\"}]}");
        bad.add("{\"tasks\": [{\"function\": \"noop\", \"surprise\": 1}]}");
        bad.add("{\"tasks\": [], \"tasks\": 5}");
        bad.add("{\"tasks\": {}}");
        bad.add("\"tasks\"");
        bad.add("");
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) { // random byte flips of the valid request
            byte[] b = VALID.getBytes(StandardCharsets.UTF_8);
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            bad.add(new String(b, StandardCharsets.ISO_8859_1));
        }
        return bad;
    }

    @Test
    void everyBadRequestGetsA4xxProblem() {
        int tried = 0;
        int accepted = 0;
        for (String body : corpus()) {
            Response r = as(ALICE).contentType("application/json").body(body.getBytes(StandardCharsets.ISO_8859_1))
                    .when().post("/batches");
            tried++;
            if (r.statusCode() == 202) {
                accepted++; // a random flip may still leave a valid batch: it must then run, and be alice's only
                as(BOB).delete("/batches/" + r.path("id")).then().statusCode(404);
                as(ALICE).delete("/batches/" + r.path("id")).then().statusCode(200);
                continue;
            }
            assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, r.statusCode() + " for " + abbreviate(body));
            assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
            String detail = r.path("detail");
            assertTrue(detail != null && !detail.isBlank(), "a problem says what to fix: " + abbreviate(body));
        }
        System.out.printf("bad requests tried over HTTP: %d, accepted as valid batches: %d, 5xx: 0%n", tried, accepted);
        assertEquals(corpus().size(), tried);
        assertTrue(accepted < tried / 10, accepted + " of " + tried + " were accepted");
    }

    @Test
    void everyBadAuthorizationIs401AndNeverEchoed() {
        List<String> headers = new ArrayList<>(List.of("", "Bearer", "Bearer ", "Bearer  \t ", "Basic " + ALICE,
                "bearer" + ALICE, "Bearer " + ALICE + "x", "Bearer " + ALICE.toUpperCase(), "Bearer x" + ALICE,
                "Bearer " + "k".repeat(10_000), "Bearer " + ALICE.substring(1),
                "Bearer sha256:" + TenancyTest.sha256(BOB), "Bearer " + TenancyTest.sha256(BOB),
                "Bearer \u00e9\u00e8-secret", "Bearer " + ALICE + ",", "Bearer " + ALICE + " " + BOB));
        for (String header : headers) {
            for (String path : List.of("/batches", "/functions", "/batches/" + java.util.UUID.randomUUID())) {
                Response r = given().header("Authorization", header).when().get(path);
                assertEquals(401, r.statusCode(), "'" + abbreviate(header) + "' on " + path);
                assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
                String tail = header.length() > 7 ? header.substring(7).trim() : "";
                assertTrue(tail.length() < 4 || !r.asString().contains(tail), "the key echoed: " + abbreviate(header));
            }
        }
    }

    @Test
    void everyPathToAnotherKeysBatchIs404Or400() {
        String id = as(ALICE).contentType("application/json")
                .body("{\"tasks\": [{\"function\": \"sleep\", \"input\": {\"duration\": \"1ms\"}}]}")
                .post("/batches?wait=30s").then().statusCode(200).extract().path("batch.id");
        List<String> ids = List.of(id, id.toUpperCase(), id + "x", "%20" + id, id.replace("-", ""), id + "%00",
                "%2e%2e%2f" + id, id.substring(0, 8));
        for (String other : ids) {
            for (String path : List.of("/batches/" + other, "/batches/" + other + "/results",
                    "/batches/" + other + "/results?order=input&after=0")) {
                int status = as(BOB).urlEncodingEnabled(false).get(path).statusCode();
                assertTrue(status == 404 || status == 400, status + " for bob on " + path);
            }
            int cancel = as(BOB).urlEncodingEnabled(false).delete("/batches/" + other).statusCode();
            assertTrue(cancel == 404 || cancel == 400 || cancel == 405, cancel + " for bob's cancel of " + other);
            int redrive = as(BOB).urlEncodingEnabled(false).contentType("application/json").body("{}")
                    .post("/batches/" + other + "/redrive").statusCode();
            assertTrue(redrive == 404 || redrive == 400 || redrive == 405, redrive + " for bob's redrive of " + other);
        }
        as(ALICE).get("/batches/" + id).then().statusCode(200).body("state", org.hamcrest.Matchers.is("SUCCEEDED"));
    }

    private static io.restassured.specification.RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key);
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
