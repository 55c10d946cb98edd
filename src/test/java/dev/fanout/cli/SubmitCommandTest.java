package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.fanout.core.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What {@code fanout submit} sends, as a local server receives it: the body in a form the API reads, the flags. */
class SubmitCommandTest {
    private static final String ARRAY = "[\n  {\"id\": \"a\", \"function\": \"noop\"},\n"
            + "  {\"id\": \"b\", \"function\": \"sleep\", \"input\": {\"duration\": \"10ms\"}}\n]\n";

    private HttpServer server;
    private volatile String contentType;
    private volatile String query;
    private volatile String idempotencyKey;
    private volatile String body;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/batches", x -> {
            contentType = x.getRequestHeaders().getFirst("Content-Type");
            idempotencyKey = x.getRequestHeaders().getFirst("Idempotency-Key");
            query = x.getRequestURI().getRawQuery();
            body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            byte[] answer = "{\"id\":\"b1\",\"state\":\"RUNNING\",\"total\":2}".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(202, answer.length);
            x.getResponseBody().write(answer);
            x.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private CommandLine cli() {
        CommandLine cli = FanoutCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli;
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void sendsABareArrayOfTasksAsTheJsonBatchTheApiReadsWithTheFlagsApplied() throws Exception {
        Path file = dir.resolve("tasks.json");
        Files.writeString(file, ARRAY);

        int exit = cli().execute("submit", file.toString(), "--max-concurrency", "3",
                "--retries", "1", "--idempotency-key", "k-1", "--url", url());

        assertEquals(0, exit, err.toString());
        assertEquals("b1", out.toString().strip());
        assertEquals("application/json", contentType);
        assertEquals("maxConcurrency=3&retries=1", query, "the flags as query parameters");
        assertEquals("k-1", idempotencyKey);
        JsonNode sent = Json.mapper().readTree(body);
        assertEquals(Json.mapper().readTree(ARRAY), sent.path("tasks"), "the array, whole, as the batch's tasks");
        assertEquals(1, sent.size(), "nothing but the tasks");
        assertEquals("{\"tasks\":" + ARRAY + "}", body, "streamed as it is, between the two; its lines keep their "
                + "numbers, which the API's errors give");
    }

    @Test
    void sendsABareArrayFromStdinWrappedTooAndNdjsonAsItIs() throws Exception {
        CommandLine cli = cli();
        SubmitCommand submit = cli.getSubcommands().get("submit").getCommand();
        submit.stdin = new ByteArrayInputStream(ARRAY.getBytes(StandardCharsets.UTF_8));

        assertEquals(0, cli.execute("submit", "-", "--task-timeout", "5s", "--url", url()), err.toString());
        assertEquals("application/json", contentType);
        assertEquals("taskTimeout=5s", query);
        assertEquals(Json.mapper().readTree(ARRAY), Json.mapper().readTree(body).path("tasks"));

        Path ndjson = dir.resolve("tasks.ndjson");
        String lines = "{\"function\": \"noop\"}\n{\"function\": \"noop\"}\n";
        Files.writeString(ndjson, lines);
        assertEquals(0, cli().execute("submit", ndjson.toString(), "--url", url()));
        assertEquals("application/x-ndjson", contentType);
        assertEquals(lines, body);
    }
}
