package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The results stream against a local server that cuts it: the client resumes after the last event it got. */
class ResultFollowerTest {
    private HttpServer server;
    private final List<String> lastEventIds = Collections.synchronizedList(new ArrayList<>());
    private final List<String> queries = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger connections = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ApiClient api() {
        return new ApiClient("http://127.0.0.1:" + server.getAddress().getPort(), "k");
    }

    private static void events(HttpExchange x, String... events) throws IOException {
        OutputStream out = x.getResponseBody();
        for (String e : events) {
            out.write(e.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    private static String result(int seq) {
        return "id: " + seq + "\ndata: {\"id\":\"t" + seq + "\",\"state\":\"SUCCEEDED\"}\n\n";
    }

    @Test
    void resumesAfterTheLastEventWhenTheConnectionDropsOrEndsEarly() {
        // a server that honours Last-Event-ID, as the service does: each connection starts after the id it is sent
        server.createContext("/batches/b1/results", x -> {
            String last = x.getRequestHeaders().getFirst("Last-Event-ID");
            lastEventIds.add(last);
            queries.add(x.getRequestURI().getRawQuery());
            int from = last == null ? 1 : Integer.parseInt(last) + 1;
            x.getResponseHeaders().add("Content-Type", "text/event-stream");
            x.sendResponseHeaders(200, 0);
            switch (connections.incrementAndGet()) {
                case 1 -> {
                    events(x, result(from), result(from + 1), "id: " + (from + 2) + "\ndata: {\"id\":\"t");
                    throw new IOException("the service died mid-event"); // the connection is cut, not ended
                }
                case 2 -> events(x, result(from)); // ends cleanly, but without its end event
                default -> {
                    for (int seq = from; seq <= 4; seq++) {
                        events(x, result(seq));
                    }
                    events(x, "event: end\ndata: {\"id\":\"b1\",\"state\":\"SUCCEEDED\"}\n\n");
                }
            }
            x.close();
        });
        List<String> got = new ArrayList<>();
        List<String> log = new ArrayList<>();
        ResultFollower follower = new ResultFollower(api(), "b1", ApiClient.query("state", "FAILED", "errorType", null),
                3, Duration.ofMillis(10), log::add);

        JsonNode end = follower.follow(got::add, Long.MAX_VALUE);

        assertEquals("SUCCEEDED", end.path("state").asText());
        assertEquals(List.of("{\"id\":\"t1\",\"state\":\"SUCCEEDED\"}", "{\"id\":\"t2\",\"state\":\"SUCCEEDED\"}",
                "{\"id\":\"t3\",\"state\":\"SUCCEEDED\"}", "{\"id\":\"t4\",\"state\":\"SUCCEEDED\"}"), got,
                "every result once, the half-sent one only once it came whole");
        // what a cut connection delivered before it died varies (a reset may discard all of it): each reconnect names
        // the last result received, none when nothing came; the clean end of connection 2 always delivered one
        assertEquals(null, lastEventIds.getFirst());
        int previous = 0;
        for (String id : lastEventIds.subList(1, lastEventIds.size())) {
            int seq = id == null ? 0 : Integer.parseInt(id);
            assertTrue(seq >= previous, "resumes forward: " + lastEventIds);
            previous = seq;
        }
        assertTrue(lastEventIds.get(2) != null, "resumes with Last-Event-ID: " + lastEventIds);
        assertEquals(3, lastEventIds.size());
        assertEquals(List.of("state=FAILED", "state=FAILED", "state=FAILED"), queries, "the filters on every reconnect");
        assertEquals(2, follower.reconnects());
        assertEquals(2, log.size());
    }

    @Test
    void a204AfterAReconnectMeansEverythingCameAndAsksForTheFinalStatus() {
        server.createContext("/batches/b2/results", x -> {
            lastEventIds.add(x.getRequestHeaders().getFirst("Last-Event-ID"));
            if (connections.incrementAndGet() == 1) {
                x.sendResponseHeaders(200, 0);
                events(x, result(1));
                x.close();
            } else {
                x.sendResponseHeaders(204, -1);
                x.close();
            }
        });
        server.createContext("/batches/b2", x -> {
            byte[] body = "{\"id\":\"b2\",\"state\":\"FAILED\",\"failed\":1}".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        List<String> got = new ArrayList<>();
        JsonNode end = new ResultFollower(api(), "b2", Map.of(), 3, Duration.ofMillis(10), m -> { })
                .follow(got::add, Long.MAX_VALUE);
        assertEquals("FAILED", end.path("state").asText());
        assertEquals(1, got.size());
        assertEquals(java.util.Arrays.asList(null, "1"), lastEventIds);
    }

    @Test
    void givesUpAfterItsRetriesWhenNothingComesAndNeverRetriesAClientError() {
        server.createContext("/batches/b3/results", x -> {
            connections.incrementAndGet();
            x.sendResponseHeaders(200, 0);
            x.close();
        });
        server.createContext("/batches/gone/results", x -> {
            connections.incrementAndGet();
            byte[] body = "{\"status\":404,\"detail\":\"no batch 'gone'\"}".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(404, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        ApiException e = assertThrows(ApiException.class, () -> new ResultFollower(api(), "b3", Map.of(), 2,
                Duration.ofMillis(1), m -> { }).follow(r -> { }, Long.MAX_VALUE));
        assertTrue(e.getMessage().contains("after 2 reconnects"), e.getMessage());
        assertEquals(3, connections.get());

        connections.set(0);
        ApiException gone = assertThrows(ApiException.class, () -> new ResultFollower(api(), "gone", Map.of(), 5,
                Duration.ofMillis(1), m -> { }).follow(r -> { }, Long.MAX_VALUE));
        assertEquals("no batch 'gone' [404]", gone.getMessage());
        assertEquals(1, connections.get());
    }

    @Test
    void backsOffDoublingUpToFifteenPausesAndSaysSoOnEachReconnect() {
        server.createContext("/batches/b4/results", x -> {
            connections.incrementAndGet();
            x.sendResponseHeaders(200, 0);
            x.close(); // ends at once, without its end event, every time
        });
        List<String> log = new ArrayList<>();
        long start = System.nanoTime();
        assertThrows(ApiException.class, () -> new ResultFollower(api(), "b4", Map.of(), 6, Duration.ofMillis(10),
                log::add).follow(r -> { }, Long.MAX_VALUE));
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(List.of("10ms (1 of 6)", "20ms (2 of 6)", "40ms (3 of 6)", "80ms (4 of 6)", "150ms (5 of 6)",
                "150ms (6 of 6)"), log.stream().map(m -> m.replaceAll(".*reconnecting in (\\S+ \\(\\d+ of \\d+\\)).*", "$1"))
                .toList());
        assertTrue(log.getFirst().startsWith("results stream interrupted (the stream ended early); reconnecting in 10ms"),
                log.getFirst());
        assertTrue(log.getFirst().endsWith("from the start"), log.getFirst());
        assertTrue(tookMillis >= 450, "slept 10+20+40+80+150+150 ms: " + tookMillis);
        assertEquals(7, connections.get());
    }

    @Test
    void keepsTryingWhileTheServiceRefusesConnectionsThenResumesAfterTheLastEvent() {
        int port = server.getAddress().getPort();
        server.createContext("/batches/b5/results", x -> {
            x.sendResponseHeaders(200, 0);
            events(x, result(1), result(2));
            x.close(); // cut without its end event
        });
        List<String> got = new ArrayList<>();
        List<String> log = new ArrayList<>();
        ResultFollower follower = new ResultFollower(api(), "b5", Map.of(), 5, Duration.ofMillis(20), m -> {
            log.add(m);
            if (log.size() == 1) {
                server.stop(0); // the service goes down
            } else if (log.size() == 3) {
                restartOn(port); // and comes back once the client was refused twice
            }
        });

        JsonNode end = follower.follow(got::add, Long.MAX_VALUE);

        assertEquals("SUCCEEDED", end.path("state").asText());
        assertEquals(List.of("t1", "t2", "t3"), got.stream().map(r -> r.replaceAll(".*\"id\":\"(t\\d)\".*", "$1"))
                .toList(), "every result once");
        assertEquals(List.of("2"), lastEventIds, "the service, back, was asked for what came after event 2");
        assertTrue(log.get(1).startsWith("results stream interrupted (connection refused); reconnecting in 40ms "
                + "(2 of 5), resuming after event 2"), log.toString());
        assertEquals(3, log.size(), log.toString());
    }

    private void restartOn(int port) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        server.createContext("/batches/b5/results", x -> {
            lastEventIds.add(x.getRequestHeaders().getFirst("Last-Event-ID"));
            x.sendResponseHeaders(200, 0);
            events(x, result(3), "event: end\ndata: {\"id\":\"b5\",\"state\":\"SUCCEEDED\"}\n\n");
            x.close();
        });
        server.start();
    }
}
