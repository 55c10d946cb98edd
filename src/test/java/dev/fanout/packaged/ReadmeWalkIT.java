package dev.fanout.packaged;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.docs.JsonShape;
import dev.fanout.docs.Walk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's five-minute walk, run as a reader runs it: every shell block of its "A five-minute walk" section, in
 * order, in one bash session (so that {@code ID=...} carries over), against the packaged service with the API open as
 * in {@code bin/dev}; each answer checked against the JSON block the README shows after the command. A change that
 * makes the README's door lie fails here.
 */
class ReadmeWalkIT {
    private static final String MARK = "@@fanout-walk-step@@";

    @TempDir
    Path dir;

    @Test
    void everyCommandOfTheWalkAnswersWhatTheReadmeShows() throws Exception {
        List<Walk.Step> steps = Walk.of(Files.readString(Path.of("README.md")));
        assertTrue(steps.size() >= 6, "the walk has its steps: " + steps.size());
        try (PackagedService service = PackagedService.onSqlite("readme-walk", dir,
                "-Dfanout.http.allow-private-addresses=true").start()) {
            StringBuilder script = new StringBuilder("set -eo pipefail\n");
            for (Walk.Step step : steps) {
                script.append(step.commands().replace("localhost:8080", "localhost:" + service.port()))
                        .append("\necho ").append(MARK).append('\n');
            }
            Path out = dir.resolve("walk.out");
            Process bash = new ProcessBuilder("bash", "-c", script.toString()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            try {
                assertTrue(bash.waitFor(3, TimeUnit.MINUTES), "the walk ended");
            } finally {
                bash.destroyForcibly();
            }
            String output = Files.readString(out);
            assertEquals(0, bash.exitValue(), "every command of the walk succeeded:\n" + output);
            String[] answers = output.split(MARK + "\n", -1);
            assertEquals(steps.size() + 1, answers.length, output);
            for (int i = 0; i < steps.size(); i++) {
                Walk.Step step = steps.get(i);
                if (step.expected() != null) {
                    List<JsonNode> expected = JsonShape.values(step.expected());
                    List<JsonNode> actual = JsonShape.values(answers[i]);
                    JsonShape.assertMatches(expected, actual, "the answer to\n" + step.commands());
                }
            }
        }
    }
}
