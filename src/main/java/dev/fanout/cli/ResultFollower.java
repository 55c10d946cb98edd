package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Follows a batch's results as server-sent events until the {@code end} event, handing each result's JSON on once.
 * A connection that drops (the service restarted, a proxy timed out) is opened again with {@code Last-Event-ID} set
 * to the last event's id, so the stream goes on with no gap and no repeat; a 204 means everything was received.
 * Reconnects back off, doubling from {@code pause} up to 15 times it, and each is said on stderr; it gives up after
 * {@code maxRetries} reconnects in a row that brought nothing (the client's: 12, about two minutes of a service
 * that is down).
 */
final class ResultFollower {
    /** Reconnects in a row that bring nothing before the client gives up: 1+2+4+8+15x8 s, about two minutes. */
    static final int RETRIES = 12;
    static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    private static final int MAX_PAUSE_FACTOR = 15;

    private final ApiClient api;
    private final String batchId;
    private final Map<String, String> filters;
    private final int maxRetries;
    private final Duration pause;
    private final Consumer<String> log;
    private String lastId;
    private long received;
    private int reconnects;

    /**
     * @param filters query parameters of the stream ({@code state}, {@code errorType}), null values left out
     * @param log     told about each reconnect (stderr)
     */
    ResultFollower(ApiClient api, String batchId, Map<String, String> filters, int maxRetries, Duration pause,
                   Consumer<String> log) {
        this.api = api;
        this.batchId = batchId;
        this.filters = filters;
        this.maxRetries = maxRetries;
        this.pause = pause;
        this.log = log;
    }

    /** The client's follower: {@link #RETRIES} reconnects, backing off from {@link #FIRST_PAUSE}. */
    static ResultFollower of(ApiClient api, String batchId, Map<String, String> filters, Consumer<String> log) {
        return new ResultFollower(api, batchId, filters, RETRIES, FIRST_PAUSE, log);
    }

    /**
     * Hands on each result's JSON, at most {@code limit} of them, and answers the batch's final status (from the
     * {@code end} event, or asked for after a 204), or null when the limit was reached first.
     */
    JsonNode follow(Consumer<String> onResult, long limit) {
        int failures = 0;
        while (true) {
            long before = received;
            try {
                Outcome o = read(onResult, limit);
                if (o.done()) {
                    return o.status();
                }
                failures = received > before ? 1 : failures + 1; // ended without its end event: a cut
                reconnect(failures, "the stream ended early");
            } catch (ApiException e) {
                if (e.status() < 500) {
                    throw e; // the batch is gone, the key is wrong: reconnecting will not help
                }
                failures = received > before ? 1 : failures + 1;
                reconnect(failures, e.getMessage());
            } catch (UncheckedIOException e) {
                failures = received > before ? 1 : failures + 1;
                reconnect(failures, ApiClient.describe(e.getCause()));
            }
        }
    }

    int reconnects() {
        return reconnects;
    }

    private void reconnect(int failures, String why) {
        if (failures > maxRetries) {
            throw new ApiException(0, "lost the results stream of batch " + batchId + " (" + why + ") after "
                    + maxRetries + " reconnects");
        }
        reconnects++;
        long wait = pause.toMillis() * Math.min(1L << Math.min(failures - 1, 30), MAX_PAUSE_FACTOR);
        log.accept("results stream interrupted (" + why + "); reconnecting in " + format(wait) + " (" + failures
                + " of " + maxRetries + "), " + (lastId == null ? "from the start" : "resuming after event " + lastId));
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String format(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    private record Outcome(boolean done, JsonNode status) {
    }

    private Outcome read(Consumer<String> onResult, long limit) {
        HttpRequest.Builder request = api.request(BatchId.path(batchId) + "/results", filters, "text/event-stream");
        if (lastId != null) {
            request.header("Last-Event-ID", lastId);
        }
        HttpResponse<InputStream> r = api.send(request.GET().build());
        if (r.statusCode() == 204) {
            close(r);
            return new Outcome(true, api.get(BatchId.path(batchId), Map.of()));
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String event = null;
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if ("end".equals(event)) {
                        return new Outcome(true, Json.mapper().readTree(data.toString()));
                    }
                    if (!data.isEmpty()) {
                        onResult.accept(data.toString());
                        received++;
                        if (id != null) {
                            lastId = id;
                        }
                        if (received >= limit) {
                            return new Outcome(true, null);
                        }
                    }
                    id = null;
                    event = null;
                    data.setLength(0);
                } else if (line.startsWith("id:")) {
                    id = value(line, 3);
                } else if (line.startsWith("event:")) {
                    event = value(line, 6);
                } else if (line.startsWith("data:")) {
                    data.append(data.isEmpty() ? "" : "\n").append(value(line, 5));
                } // comments (":") and retry: are ignored
            }
            return new Outcome(false, null);
        } catch (IOException e) { // mid-stream: say so rather than the bare "closed" or "reset" the JDK has
            throw new UncheckedIOException(new IOException("connection lost: " + ApiClient.describe(e), e));
        }
    }

    private static String value(String line, int from) {
        String v = line.substring(from);
        return v.startsWith(" ") ? v.substring(1) : v;
    }

    private static void close(HttpResponse<InputStream> r) {
        try {
            r.body().close();
        } catch (IOException e) {
            // nothing to read anyway
        }
    }
}
