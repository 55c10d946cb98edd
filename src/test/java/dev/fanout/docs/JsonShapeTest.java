package dev.fanout.docs;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What ReadmeWalkIT's comparison lets through, and what it does not. */
class JsonShapeTest {

    private static void matches(String shown, String answer) {
        JsonShape.assertMatches(JsonShape.values(shown), JsonShape.values(answer), "test");
    }

    private static void differs(String shown, String answer) {
        assertThrows(AssertionError.class, () -> matches(shown, answer), shown + " against " + answer);
    }

    @Test
    void elisionsStandForWhatDiffersFromRunToRun() {
        matches("{\"id\": \"...\", \"n\": 1}", "{\"id\": \"6f1c\", \"n\": 1, \"more\": true}");
        matches("{\"backend\": \"process:...\"}", "{\"backend\": \"process:4711\"}");
        matches("{\"stats\": \"...\"}", "{\"stats\": {\"p50\": 3}}");
        matches("{\"d\": 2}", "{\"d\": 2.0}");
        matches("{\"a\": 1}\n{\"a\": 2}", "{\"a\": 1}\n{\"a\": 2}\n");
    }

    @Test
    void everythingShownMustBeThere() {
        differs("{\"id\": \"a\"}", "{\"id\": \"b\"}");
        differs("{\"id\": \"a\", \"state\": \"SUCCEEDED\"}", "{\"id\": \"a\"}");
        differs("{\"backend\": \"process:...\"}", "{\"backend\": \"virtual-thread\"}");
        differs("[\"a\", \"b\"]", "[\"a\", \"b\", \"c\"]");
        differs("{\"a\": 1}\n{\"a\": 2}", "{\"a\": 1}");
        differs("{\"error\": null}", "{\"error\": {\"type\": \"TIMEOUT\"}}");
    }

    @Test
    void theWalkPairsEachShellBlockWithTheJsonAfterIt() {
        String readme = "# x\n\n## A five-minute walk\n\n```sh\necho 1\n```\n```json\n1\n```\n\n```sh\necho\n```\n"
                + "\n## Next\n\n```sh\nnot this\n```\n";
        assertEquals(List.of(new Walk.Step("echo 1\n", "1\n"), new Walk.Step("echo\n", null)), Walk.of(readme));
    }
}
