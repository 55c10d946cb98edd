package dev.fanout.functions.exec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.Settings;
import dev.fanout.spi.TaskContext;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exec function with real programs of the machine (coreutils). */
class ExecTest {
    private static final TaskContext CONTEXT = new TaskContext("t", 1, Settings.EMPTY);

    private static Exec exec(String allowed, String... more) {
        Exec e = new Exec();
        Map<String, String> settings = new java.util.HashMap<>(Map.of("fanout.exec.allowed-commands", allowed));
        for (int i = 0; i + 1 < more.length; i += 2) {
            settings.put(more[i], more[i + 1]);
        }
        e.configure(Settings.of(settings));
        return e;
    }

    /** Whether a {@code sleep <seconds>} runs (the command is reported resolved, e.g. /usr/bin/sleep). */
    private static boolean sleeping(String seconds) {
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().command().orElse("").endsWith("/sleep")
                && java.util.Arrays.equals(p.info().arguments().orElse(new String[0]), new String[]{seconds}));
    }

    private static JsonNode json(String s) throws IOException {
        return Json.mapper().readTree(s);
    }

    @Test
    void isDisabledUntilProgramsAreAllowlisted() {
        Exec off = new Exec();
        off.configure(Settings.EMPTY);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> off.validate(json("{\"argv\": [\"/bin/echo\", \"hi\"]}")));
        assertTrue(e.getMessage().contains("exec is disabled"), e.getMessage());
        assertTrue(off.description().contains("Disabled"));
    }

    @Test
    void runsOnlyAllowlistedProgramsByAbsolutePath() {
        Exec e = exec("/usr/bin/wc");
        InvalidInputException refused = assertThrows(InvalidInputException.class,
                () -> e.validate(json("{\"argv\": [\"/bin/sh\", \"-c\", \"id\"]}")));
        assertTrue(refused.getMessage().contains("'/bin/sh' is not allowlisted; allowed: /usr/bin/wc"));
        assertThrows(InvalidInputException.class, () -> e.validate(json("{\"argv\": [\"wc\"]}")));
    }

    @Test
    void passesStdinAndAnswersStdoutAndTheExitCode() throws Exception {
        JsonNode out = exec("/usr/bin/wc").apply(json("{\"argv\": [\"/usr/bin/wc\", \"-w\"], \"stdin\": \"to be or not to be\"}"),
                CONTEXT);
        assertEquals(0, out.get("exitCode").asInt());
        assertEquals("6", out.get("stdout").asText().trim());
    }

    @Test
    void givesTheProgramAnEnvironmentOfItsOwnAndAFreshDirectory() throws Exception {
        JsonNode out = exec("/usr/bin/env").apply(json("{\"argv\": [\"/usr/bin/env\"], \"env\": {\"GREETING\": \"hi\"}}"),
                CONTEXT);
        String env = out.get("stdout").asText();
        assertTrue(env.contains("GREETING=hi"), env);
        assertTrue(env.contains("HOME=/tmp/fanout-exec-") || env.contains("HOME=" + System.getProperty("java.io.tmpdir")),
                env);
        assertFalse(env.contains("JAVA_HOME") || env.contains("AWS_") || env.contains("FANOUT_"), env);
    }

    @Test
    void aNonZeroExitIsAFailureWithTheCodeAndStderr() {
        IOException e = assertThrows(IOException.class, () -> exec("/bin/ls").apply(
                json("{\"argv\": [\"/bin/ls\", \"/no/such/dir\"]}"), CONTEXT));
        assertTrue(e.getMessage().contains("exited with code 2"), e.getMessage());
        assertTrue(e.getMessage().contains("No such file"), e.getMessage());
    }

    @Test
    void capsOutputButCountsAllOfIt() throws Exception {
        JsonNode out = exec("/usr/bin/head", "fanout.exec.max-output-bytes", "100").apply(
                json("{\"argv\": [\"/usr/bin/head\", \"-c\", \"100000\", \"/dev/zero\"]}"), CONTEXT);
        assertEquals(100, out.get("stdout").asText().length());
        assertEquals(100_000, out.get("stdoutBytes").asLong());
        assertTrue(out.get("truncated").asBoolean());
    }

    @Test
    void killsTheProcessWhenItsTimeoutPasses() throws Exception {
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> exec("/bin/sleep").apply(
                json("{\"argv\": [\"/bin/sleep\", \"600\"], \"timeout\": \"300ms\"}"), CONTEXT));
        assertTrue(e.getMessage().contains("killed after its timeout"), e.getMessage());
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 60);
        assertFalse(sleeping("600"), "no sleep 600 is left");
    }

    @Test
    void killsTheProcessWhenTheTaskIsStopped() throws Exception {
        Exec e = exec("/bin/sleep");
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                e.apply(json("{\"argv\": [\"/bin/sleep\", \"601\"]}"), CONTEXT);
                outcome.complete(null);
            } catch (Throwable x) {
                outcome.complete(x);
            }
        });
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> sleeping("601"));
        t.interrupt(); // what taskTimeout and cancellation do
        assertTrue(outcome.get(30, TimeUnit.SECONDS) instanceof InterruptedException);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> !sleeping("601"));
    }
}
