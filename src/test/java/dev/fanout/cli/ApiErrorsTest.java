package dev.fanout.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the client adds to a refusal: where its key comes from on a 401, when to come back on a 429. */
class ApiErrorsTest {
    private static final String QUOTA_DETAIL = "key 'solo' has 1 batch running, its most "
            + "(fanout.auth.keys.solo.max-running); retry after 5 s";

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void a401SaysTheKeyWasNotAcceptedAndHowToGiveOne() {
        String wrong = ApiClient.advice(401, null, true, "this API key is not accepted [401]");
        assertTrue(wrong.contains("not accepted, or may have been removed"), wrong);
        assertTrue(wrong.contains("--api-key KEY or FANOUT_API_KEY"), wrong);
        String none = ApiClient.advice(401, null, false, "send an API key [401]");
        assertTrue(none.contains("no API key was given: pass --api-key KEY or set FANOUT_API_KEY"), none);
        assertEquals("", ApiClient.advice(404, null, true, "no batch with id 'x' [404]"));
    }

    @Test
    void a429SaysWhenToRetryFromItsRetryAfterOnce() {
        assertEquals("; retry after 5 s", ApiClient.advice(429, "5", true, "too many batches [429]"));
        assertEquals("", ApiClient.advice(429, "5", true, QUOTA_DETAIL + " [429]"), "the detail says it already");
        assertEquals("; retry after 7 s", ApiClient.advice(429, " 7 ", true, QUOTA_DETAIL + " [429]"),
                "the header is what counts");
        assertEquals("; retry after Wed, 21 Oct 2026 07:28:00 GMT",
                ApiClient.advice(429, "Wed, 21 Oct 2026 07:28:00 GMT", true, "slow down [429]"));
        assertEquals("", ApiClient.advice(429, null, true, "slow down [429]"));
        assertEquals("", ApiClient.advice(503, "5", true, "shutting down [503]"), "429 only");
    }

    @Test
    void aQuotaRefusalExitsTwoAtOnceWithTheQuotaAndWhenToRetry(@TempDir Path dir) throws IOException {
        server.createContext("/batches", x -> problem(x, 429, "urn:fanout:problem:quota-max-running",
                "Retry-After", "9", QUOTA_DETAIL.replace("5 s", "9 s")));
        Path file = dir.resolve("t.ndjson");
        Files.writeString(file, "{\"function\": \"noop\"}\n");

        Result r = run("submit", file.toString(), "--wait", "--api-key", "k");

        assertEquals(2, r.exit(), r.err());
        assertEquals("fanout: " + QUOTA_DETAIL.replace("5 s", "9 s") + " [429]\n", r.err());
        assertEquals("", r.out());
        assertEquals(1, requests.get(), "no retry by itself");
    }

    @Test
    void aWrongKeyExitsTwoSayingHowToSetOneWithoutEchoingIt() {
        server.createContext("/functions", x -> problem(x, 401, "urn:fanout:problem:unauthenticated",
                "WWW-Authenticate", "Bearer realm=\"fanout\", error=\"invalid_token\"",
                "this API key is not accepted (it may have been removed or replaced)"));

        Result r = run("functions", "--api-key", "s3cret-key");

        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("fanout: this API key is not accepted (it may have been removed or replaced) "
                + "[401]; the API key given (--api-key or FANOUT_API_KEY) was not accepted"), r.err());
        assertFalse(r.err().contains("s3cret-key"), r.err());
    }

    private record Result(int exit, String out, String err) {
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = FanoutCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", "http://127.0.0.1:" + server.getAddress().getPort()));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    private void problem(HttpExchange x, int status, String type, String header, String value, String detail)
            throws IOException {
        requests.incrementAndGet();
        x.getRequestBody().readAllBytes();
        byte[] body = ("{\"type\":\"" + type + "\",\"status\":" + status + ",\"detail\":\"" + detail + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/problem+json");
        x.getResponseHeaders().add(header, value);
        x.sendResponseHeaders(status, body.length);
        x.getResponseBody().write(body);
        x.close();
    }
}
