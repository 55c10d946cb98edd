package dev.fanout.packaged;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The start-up warm-up as a user meets it (the packaged service, keys on, the default SQLite store): the service says
 * it is not ready while it warms up, and once ready it shows no trace of the warm-up: no batch in the list or the
 * store, no count in the metrics, no file left; the user's first batch then runs as usual.
 */
class WarmUpIT {
    private static final String KEY = "warm-up-test-key";

    @Test
    void notReadyUntilWarmThenNoTraceOfIt(@TempDir Path dir) throws Exception {
        assumeFalse(Artifact.isNative(), "a native binary has no JIT to warm");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        try (PackagedService service = PackagedService.onSqlite("warmup", dir, "-Dfanout.warmup.enabled=true",
                "-Dfanout.auth.enabled=true", "-Dfanout.auth.api-keys=" + KEY, "-Djava.io.tmpdir=" + tmp).launch()) {
            List<String> notReady = new ArrayList<>();
            AtomicBoolean warmWhenReady = new AtomicBoolean();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).ignoreExceptions().until(() -> {
                Response ready = service.management().get("/q/health/ready");
                if (ready.statusCode() != 200) {
                    notReady.add(ready.path("checks.find { it.name == 'fanout-backends' }.data.warmup"));
                    return false;
                }
                warmWhenReady.set(Files.readString(service.log()).contains("warmed up in"));
                return true;
            });
            assertTrue(warmWhenReady.get(), "readiness said UP before the warm-up had ended");
            assertTrue(notReady.stream().anyMatch(w -> w != null && w.startsWith("warming up")),
                    "readiness said DOWN, warming up, first: " + notReady);
            String log = Files.readString(service.log());
            assertTrue(log.contains("(3 batches of 50000 tasks through the API, on a private engine)"), log);
            assertFalse(log.contains("warming up failed"), log);

            assertEquals(0, service.api().auth().oauth2(KEY).get("/batches").then().statusCode(200)
                    .extract().<Integer>path("total"));
            String metrics = service.management().get("/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(metrics.contains("fanout_batches_finished_total{key=\"api-keys[0]\"} 0.0"),
                    "the key's series, at 0: " + metrics);
            assertEquals(List.of(), metrics.lines().filter(l -> l.startsWith("fanout_batches_finished_total")
                    && !l.endsWith(" 0.0")).toList(), "no batch counted");
            assertEquals(List.of(), warmUpFiles(tmp), "the warm-up's files are deleted");

            Response first = service.api().auth().oauth2(KEY).contentType(ContentType.JSON)
                    .body("{\"tasks\": [{\"function\": \"noop\", \"input\": 7}, {\"function\": \"sleep\", "
                            + "\"input\": {\"duration\": \"1ms\"}}]}")
                    .post("/batches?wait=1m");
            assertEquals(200, first.statusCode(), first.asString());
            assertEquals(7, first.<Integer>path("results[0].output"));
            assertEquals(List.of("SUCCEEDED", "SUCCEEDED"), first.path("results.state"));
            assertEquals(1, service.api().auth().oauth2(KEY).get("/batches").then().extract().<Integer>path("total"));
        }
    }

    @Test
    void aNativeBinaryIsReadyWithoutAWarmUp(@TempDir Path dir) throws Exception {
        assumeTrue(Artifact.isNative(), "the JVM service warms up");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        try (PackagedService service = PackagedService.onSqlite("warmup-native", dir, "-Dfanout.warmup.enabled=true",
                "-Djava.io.tmpdir=" + tmp).start()) {
            Object warmUp = service.management().get("/q/health/ready")
                    .path("checks.find { it.name == 'fanout-backends' }.data.warmup");
            assertEquals(null, warmUp, "readiness tells of no warm-up");
            assertFalse(Files.readString(service.log()).contains("warmed up in"), Files.readString(service.log()));
            assertEquals(0, service.api().get("/batches").then().statusCode(200).extract().<Integer>path("total"));
            assertEquals(List.of(), warmUpFiles(tmp));
        }
    }

    @Test
    void aShutdownDuringTheWarmUpLeavesNoFileBehind(@TempDir Path dir) throws Exception {
        assumeFalse(Artifact.isNative(), "a native binary has no JIT to warm");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        try (PackagedService service = PackagedService.onSqlite("warmup-stop", dir, "-Dfanout.warmup.enabled=true",
                "-Dfanout.warmup.rounds=50", "-Djava.io.tmpdir=" + tmp).launch()) {
            // the warm-up has its scratch store, and will not be done for a while (50 rounds)
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() ->
                    "warming up (fanout.warmup.enabled)".equals(service.management().get("/q/health/ready")
                            .path("checks.find { it.name == 'fanout-backends' }.data.warmup"))
                            && warmUpFiles(tmp).size() == 1);
            service.terminate();
            assertEquals(List.of(), warmUpFiles(tmp), "the warm-up's files are deleted at shutdown");
            assertTrue(Files.readString(service.log()).contains("warm-up stopped: the service is shutting down"));
        }
    }

    private static List<Path> warmUpFiles(Path tmp) throws Exception {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(p -> p.getFileName().toString().startsWith("fanout-warmup")).toList();
        }
    }
}
