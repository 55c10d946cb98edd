package dev.fanout.functions.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.fanout.core.Json;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.Settings;
import dev.fanout.spi.TaskContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The http function against a real HTTP server on loopback. */
class HttpFunctionTest {
    private HttpServer server;
    private String base;
    private final Http http = new Http();
    private final java.util.concurrent.CountDownLatch silentReached = new java.util.concurrent.CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hello", ex -> {
            byte[] body = ("hello " + ex.getRequestMethod() + " " + new String(ex.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8)).trim().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("X-Echo", String.valueOf(ex.getRequestHeaders().getFirst("X-Test")));
            ex.sendResponseHeaders(201, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/big", ex -> {
            ex.sendResponseHeaders(200, 100_000);
            ex.getResponseBody().write(new byte[100_000]);
            ex.close();
        });
        server.createContext("/redirect", ex -> {
            ex.getResponseHeaders().add("Location", "/hello");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.createContext("/to-metadata", ex -> {
            ex.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.createContext("/silent", ex -> silentReached.countDown()); // accepts the request, never answers
        server.createContext("/loop", ex -> {
            ex.getResponseHeaders().add("Location", "/loop");
            ex.sendResponseHeaders(307, -1);
            ex.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() throws IOException {
        server.stop(0);
        http.close();
    }

    /** With loopback allowed, as in dev and test: the local server is on 127.0.0.1. */
    private JsonNode call(String input, Map<String, String> settings) throws Exception {
        Map<String, String> all = new java.util.HashMap<>(settings);
        all.putIfAbsent("fanout.http.allow-private-addresses", "true");
        return http.apply(Json.mapper().readTree(input), new TaskContext("t", 1, Settings.of(all)));
    }

    @Test
    void answersStatusHeadersBodySizeAndDigest() throws Exception {
        JsonNode out = call("{\"url\": \"" + base + "/hello\", \"method\": \"POST\", \"body\": \"world\", "
                + "\"headers\": {\"X-Test\": \"yes\"}}", Map.of());
        assertEquals(201, out.get("status").asInt());
        assertEquals("hello POST world", out.get("body").asText());
        assertEquals("yes", out.get("headers").get("x-echo").asText());
        assertEquals(16, out.get("bytes").asLong());
        // sha256("hello POST world"), as python3's hashlib computes it
        assertEquals("8d9342f240e96ebf1c15d8c8d414ea953e823887e3d33fbbba4995f57448732d", out.get("sha256").asText());
        assertFalse(out.get("truncated").asBoolean());
    }

    @Test
    void capsTheKeptBodyButCountsAndHashesAllOfIt() throws Exception {
        JsonNode out = call("{\"url\": \"" + base + "/big\"}", Map.of("fanout.http.max-body-bytes", "1000"));
        assertEquals(1000, out.get("body").asText().length());
        assertEquals(100_000, out.get("bytes").asLong());
        assertTrue(out.get("truncated").asBoolean());
    }

    @Test
    void refusesResponsesOverTheResponseLimit() {
        IOException e = assertThrows(IOException.class, () -> call("{\"url\": \"" + base + "/big\"}",
                Map.of("fanout.http.max-response-bytes", "5000")));
        assertTrue(e.getMessage().contains("exceeds 5000 bytes"), e.getMessage());
    }

    @Test
    void followsRedirectsTurningPostIntoGet() throws Exception {
        JsonNode out = call("{\"url\": \"" + base + "/redirect\", \"method\": \"POST\", \"body\": \"x\"}", Map.of());
        assertEquals(201, out.get("status").asInt());
        assertEquals("hello GET", out.get("body").asText());
    }

    @Test
    void stopsAfterTheRedirectLimit() {
        IOException e = assertThrows(IOException.class, () -> call("{\"url\": \"" + base + "/loop\"}",
                Map.of("fanout.http.max-redirects", "3")));
        assertTrue(e.getMessage().contains("more than 3 redirects"), e.getMessage());
    }

    @Test
    void canLeaveRedirectsToTheCaller() throws Exception {
        JsonNode out = call("{\"url\": \"" + base + "/redirect\", \"followRedirects\": false}", Map.of());
        assertEquals(302, out.get("status").asInt());
        assertEquals("/hello", out.get("headers").get("location").asText());
    }

    @Test
    void refusesLoopbackUnlessPrivateAddressesAreAllowed() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> call(
                "{\"url\": \"http://localhost:" + server.getAddress().getPort() + "/hello\"}",
                Map.of("fanout.http.allow-private-addresses", "false")));
        assertTrue(e.getMessage().contains("localhost resolves to 127.0.0.1, a loopback address"), e.getMessage());
    }

    @Test
    void checksEveryRedirectHopAgainstThePolicy() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> call("{\"url\": \"" + base + "/to-metadata\"}", Map.of()));
        assertTrue(e.getMessage().contains("169.254.169.254 is a link-local address"), e.getMessage());
    }

    @Test
    void givesUpOnASilentServerAfterItsTimeout() {
        IOException e = assertThrows(IOException.class,
                () -> call("{\"url\": \"" + base + "/silent\", \"timeout\": \"300ms\"}", Map.of()));
        assertTrue(e.getMessage().toLowerCase().contains("timed out") || e instanceof java.net.SocketTimeoutException,
                e.toString());
    }

    @Test
    void stopsWaitingWhenInterrupted() throws Exception {
        var result = new java.util.concurrent.CompletableFuture<Throwable>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                call("{\"url\": \"" + base + "/silent\"}", Map.of());
                result.complete(null);
            } catch (Throwable e) {
                result.complete(e);
            }
        });
        assertTrue(silentReached.await(10, java.util.concurrent.TimeUnit.SECONDS), "the request reached the server");
        t.interrupt();
        Throwable e = result.get(10, java.util.concurrent.TimeUnit.SECONDS);
        // the client reports an interrupt its own ways; what matters is that the call ends at once
        assertTrue(e instanceof IOException || e instanceof InterruptedException
                || e instanceof java.util.concurrent.CancellationException, String.valueOf(e));
    }

    @Test
    void reportsAConnectionThatIsRefused() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        IOException e = assertThrows(IOException.class,
                () -> call("{\"url\": \"http://127.0.0.1:" + closedPort + "/\"}", Map.of()));
        assertTrue(e.getMessage().contains("refused") || e instanceof java.net.ConnectException, e.toString());
    }
}
