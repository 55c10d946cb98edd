package dev.fanout.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A generated corpus of bad requests, sent over HTTP: every one gets a 4xx problem+json that says what to fix, never
 * a 5xx, never a hang. (The coverage-guided fuzzing of the same parsing is RequestParsingFuzzTest.)
 */
@QuarkusTest
class BadInputCorpusTest {
    private static final String VALID = "{\"tasks\": [{\"id\": \"a\", \"function\": \"sleep\", \"input\": {\"duration\": "
            + "\"10ms\"}}, {\"function\": \"primes\", \"input\": {\"limit\": 1000}}], \"maxConcurrency\": 10, "
            + "\"taskTimeout\": \"30s\", \"retries\": 1, \"failFast\": false}";

    /** Deterministic: the same corpus every run, so that a failure can be replayed. */
    static List<String> corpus() {
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
            Response r = given().contentType("application/json").body(body.getBytes(StandardCharsets.ISO_8859_1))
                    .when().post("/batches");
            tried++;
            if (r.statusCode() == 202) {
                accepted++; // a random flip may still leave a valid batch: it must then run
                given().when().delete("/batches/" + r.path("id")).then().statusCode(200);
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

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
