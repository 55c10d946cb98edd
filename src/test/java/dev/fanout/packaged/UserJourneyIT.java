package dev.fanout.packaged;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.core.Json;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged application used as a user uses it, end to end: the check that a build (the jar in bin/test, the
 * native binary in bin/test-native) does what the README promises. With an API key: every built-in function listed;
 * a mixed batch (sleeps on virtual threads, primes on worker processes started from the same artifact, sha256,
 * {@code http} to a loopback server); the service SIGKILLed in the middle of it and started again on its store, every
 * task then finishing exactly once with the results stored before the kill unchanged; and the artifact's own
 * {@code fanout} command-line mode listing the functions and reading every result.
 */
class UserJourneyIT {
    private static final String KEY = "journey-key";
    private static final List<String> BUILT_INS = List.of("exec", "http", "invoke", "noop", "primes", "sha256", "sleep");
    private static final int SLEEPS = 20;
    private static final int PRIMES = 20;
    private static final int HASHES = 10;
    private static final int PAGES = 10;
    /** Tasks whose HTTP answers wait for a gate the test opens after the restart: the batch cannot end before it. */
    private static final int HELD = 5;
    private static final int TOTAL = SLEEPS + PRIMES + HASHES + PAGES + HELD;

    @TempDir
    Path dir;

    @Test
    void runsAMixedBatchThroughAKillAndTheArtifactsClientReadsEveryResultOnce() throws Exception {
        try (HttpGates gates = new HttpGates();
             PackagedService service = PackagedService.onSqlite("journey", dir, "-Dfanout.auth.enabled=true",
                     "-Dfanout.auth.api-keys=" + KEY, "-Dfanout.http.allow-private-addresses=true",
                     "-Dfanout.processes.workers=2").start()) {
            List<String> listed = as(service).get("/functions").then().statusCode(200).extract().path("name");
            assertTrue(listed.containsAll(BUILT_INS), "every built-in function is listed: " + listed);

            String id = as(service).contentType(ContentType.JSON).body(batch(gates)).post("/batches")
                    .then().statusCode(202).extract().path("id");
            // everything but the held tasks, then a SIGKILL while those are in flight
            await().atMost(Duration.ofMinutes(2)).until(() -> succeeded(service, id) == TOTAL - HELD);
            Map<String, String> beforeKill = new HashMap<>();
            for (JsonNode r : results(cli(service, "results", id).stdout)) {
                beforeKill.put(r.get("id").asText(), r.toString());
            }
            assertEquals(TOTAL - HELD, beforeKill.size(), "the results stored before the kill");
            service.kill();
            service.start();
            gates.open(1);

            Cli follow = cli(service, "results", id, "--follow");
            assertEquals(0, follow.exit, follow.stderr);
            List<JsonNode> all = results(follow.stdout);
            assertEquals(TOTAL, all.size(), "one result a task: " + follow.stdout);
            Map<String, JsonNode> byId = new HashMap<>();
            for (JsonNode r : all) {
                assertTrue(byId.put(r.get("id").asText(), r) == null, "a task answered twice: " + r);
                assertEquals("SUCCEEDED", r.get("state").asText(), r.toString());
                String before = beforeKill.get(r.get("id").asText());
                if (before != null) {
                    assertEquals(before, r.toString(), "a result stored before the kill was changed");
                }
            }
            assertOutputs(byId);
            assertEquals("SUCCEEDED", as(service).get("/batches/" + id).then().statusCode(200)
                    .extract().path("state"));

            Cli functions = cli(service, "functions");
            assertEquals(0, functions.exit, functions.stderr);
            for (String name : BUILT_INS) {
                assertTrue(functions.stdout.contains("\"" + name + "\""), name + " in " + functions.stdout);
            }
        }
    }

    private static String batch(HttpGates gates) {
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < SLEEPS; i++) {
            tasks.add("{\"id\": \"s" + i + "\", \"function\": \"sleep\", \"input\": {\"duration\": \"200ms\"}}");
        }
        for (int i = 0; i < PRIMES; i++) {
            tasks.add("{\"id\": \"p" + i + "\", \"function\": \"primes\", \"input\": {\"limit\": " + limit(i) + "}}");
        }
        for (int i = 0; i < HASHES; i++) {
            tasks.add("{\"id\": \"h" + i + "\", \"function\": \"sha256\", \"input\": {\"data\": \"hello " + i + "\"}}");
        }
        for (int i = 0; i < PAGES; i++) {
            tasks.add(gates.task("g" + i, 0));
        }
        for (int i = 0; i < HELD; i++) {
            tasks.add(gates.task("w" + i, 1));
        }
        return "{\"cpuBackend\": \"processes\", \"tasks\": [" + String.join(",", tasks) + "]}";
    }

    private static int limit(int i) {
        return 200_000 + 1_000 * i;
    }

    private static void assertOutputs(Map<String, JsonNode> byId) throws Exception {
        for (int i = 0; i < SLEEPS; i++) {
            JsonNode r = byId.get("s" + i);
            assertEquals("virtual-thread", r.get("backend").asText(), r.toString());
            assertTrue(r.get("output").get("sleptMs").asLong() >= 200, r.toString());
        }
        for (int i = 0; i < PRIMES; i++) {
            JsonNode r = byId.get("p" + i);
            assertTrue(r.get("backend").asText().startsWith("process:"), r.toString());
            assertEquals(primesBelow(limit(i)), r.get("output").get("count").asLong(), r.toString());
        }
        for (int i = 0; i < HASHES; i++) {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(("hello " + i).getBytes(StandardCharsets.UTF_8));
            assertEquals(HexFormat.of().formatHex(digest), byId.get("h" + i).get("output").get("hex").asText());
        }
        for (String prefix : List.of("g", "w")) {
            for (int i = 0; i < (prefix.equals("g") ? PAGES : HELD); i++) {
                JsonNode out = byId.get(prefix + i).get("output");
                assertEquals(200, out.get("status").asInt(), out.toString());
                assertEquals("open", out.get("body").asText(), out.toString());
            }
        }
    }

    private static long primesBelow(int limit) {
        long count = 0;
        for (int n = 2; n < limit; n++) {
            count += BigInteger.valueOf(n).isProbablePrime(50) ? 1 : 0;
        }
        return count;
    }

    private static RequestSpecification as(PackagedService service) {
        return service.api().header("Authorization", "Bearer " + KEY);
    }

    private static int succeeded(PackagedService service, String id) {
        return as(service).get("/batches/" + id).then().statusCode(200).extract().path("succeeded");
    }

    private static List<JsonNode> results(String ndjson) throws Exception {
        List<JsonNode> results = new ArrayList<>();
        for (String line : ndjson.split("\n")) {
            if (!line.isBlank()) {
                ObjectNode r = (ObjectNode) Json.mapper().readTree(line);
                r.remove("seq"); // a stream position, not part of the result
                results.add(r);
            }
        }
        return results;
    }

    private record Cli(int exit, String stdout, String stderr) {
    }

    /** {@code <artifact> fanout ARGUMENTS} against the service, with its key, as a user runs the client. */
    private Cli cli(PackagedService service, String... arguments) throws Exception {
        List<String> args = new ArrayList<>(List.of("fanout"));
        args.addAll(List.of(arguments));
        File out = Files.createTempFile(dir, "cli", ".out").toFile();
        File err = Files.createTempFile(dir, "cli", ".err").toFile();
        ProcessBuilder pb = new ProcessBuilder(Artifact.command(List.of(), args.toArray(String[]::new)))
                .redirectOutput(out).redirectError(err).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("FANOUT_URL", "http://127.0.0.1:" + service.port());
        pb.environment().put("FANOUT_API_KEY", KEY);
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(2, TimeUnit.MINUTES), "fanout " + String.join(" ", arguments) + " ended");
        } finally {
            p.destroyForcibly();
        }
        return new Cli(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
    }
}
