package dev.fanout.packaged;

import dev.fanout.api.BadInputCorpusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The native binary answers bad input exactly as the JVM service does: every request of BadInputCorpusTest's corpus
 * (truncations, wrong values for every option and input, deep nesting, byte flips) sent to both, each pair of answers
 * equal to the byte. Runs where the packaged tests run the binary (bin/test-native), which also packages the jar.
 */
class NativeMatchesJvmIT {

    @Test
    void everyBadRequestGetsTheSameProblemFromTheBinaryAsFromTheJvm() {
        assumeTrue(Artifact.isNative(), "compares the native binary with the jar");
        assumeTrue(Files.exists(Path.of("target", "quarkus-app", "quarkus-run.jar")), "the jar is packaged");
        List<String> memory = List.of("-Dfanout.store.kind=memory");
        try (PackagedService jvm = new PackagedService("bad-input-jvm", memory).jar().start();
             PackagedService binary = new PackagedService("bad-input-native", memory).start()) {
            int compared = 0;
            for (String body : BadInputCorpusTest.corpus()) {
                Response expected = post(jvm, body);
                Response actual = post(binary, body);
                assertEquals(expected.statusCode(), actual.statusCode(), body);
                if (expected.statusCode() == 202) { // a byte flip that still makes a valid batch
                    jvm.api().delete("/batches/" + expected.path("id"));
                    binary.api().delete("/batches/" + actual.path("id"));
                    continue;
                }
                assertEquals(expected.contentType(), actual.contentType(), body);
                assertEquals(expected.asString(), actual.asString(), body);
                compared++;
            }
            assertEquals(true, compared > BadInputCorpusTest.corpus().size() * 9 / 10, compared + " problems compared");
        }
    }

    private static Response post(PackagedService service, String body) {
        return service.api().contentType("application/json").body(body.getBytes(StandardCharsets.ISO_8859_1))
                .when().post("/batches");
    }
}
