package dev.fanout.packaged;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Follows a batch's results as a browser's EventSource does: server-sent events, and after a lost connection a
 * reconnect with {@code Last-Event-ID} set to the last id seen, until the {@code end} event (or a 204). Keeps every
 * event it received, in order, to check that nothing came twice and nothing was skipped.
 */
final class SseFollower {
    /** One result event: its id and its result. */
    record Event(long id, JsonNode result) {
    }

    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    private volatile int reconnects;
    /** The id of the last event received, over every connection: what a reconnect sends as Last-Event-ID. */
    private volatile String lastId;
    private volatile JsonNode end;

    /** Follows in the background until the end; the future completes with every event received. */
    CompletableFuture<List<Event>> follow(int port, String batchId, Duration patience) {
        return CompletableFuture.supplyAsync(() -> {
            long deadline = System.nanoTime() + patience.toNanos();
            try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
                while (end == null && System.nanoTime() < deadline) {
                    try {
                        read(client, port, batchId);
                    } catch (Exception e) {
                        reconnects++; // the service is down or restarting: try again, as EventSource does
                        pause();
                    }
                }
            }
            return List.copyOf(events);
        }, Thread::startVirtualThread);
    }

    private void read(HttpClient client, int port, String batchId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/batches/"
                + batchId + "/results")).header("Accept", "text/event-stream");
        if (lastId != null) {
            request.header("Last-Event-ID", lastId);
        }
        HttpResponse<java.io.InputStream> r = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() == 204) {
            end = Json.mapper().createObjectNode().put("noContent", true);
            return;
        }
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode());
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String name = null;
            StringBuilder data = new StringBuilder();
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        JsonNode json = Json.mapper().readTree(data.toString());
                        if ("end".equals(name)) {
                            end = json;
                        } else {
                            events.add(new Event(Long.parseLong(id), json));
                            lastId = id;
                        }
                    }
                    id = null;
                    name = null;
                    data.setLength(0);
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).stripLeading());
                }
            }
        }
        if (end == null) {
            throw new IllegalStateException("the stream closed before its end");
        }
    }

    int reconnects() {
        return reconnects;
    }

    /** The end event's batch status (or a marker when a reconnect after the end got 204). */
    JsonNode end() {
        return end;
    }

    private static void pause() {
        try {
            Thread.sleep(200); // a reconnect delay, as EventSource's retry: nothing to wait on but time
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
