package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The REST API as any user reaches it: JDK HttpClient, JSON in and out, the API key as a bearer token. A non-2xx
 * answer becomes an {@link ApiException} carrying the problem's {@code detail} (and its first task error), and for a
 * 401 or a 429 what to do next.
 */
final class ApiClient implements AutoCloseable {
    private final URI base;
    private final String apiKey;
    private final HttpClient http;

    ApiClient(String url, String apiKey) {
        this.base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    String url() {
        return base.toString();
    }

    /** A request to {@code path} with the query parameters that are not null, the key and {@code Accept} set. */
    HttpRequest.Builder request(String path, Map<String, String> query, String accept) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path + queryString(query)))
                .header("Accept", accept);
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    JsonNode get(String path, Map<String, String> query) {
        return json(send(request(path, query, "application/json").GET().build()));
    }

    JsonNode delete(String path) {
        return json(send(request(path, Map.of(), "application/json").DELETE().build()));
    }

    JsonNode post(String path, Map<String, String> query, Map<String, String> headers, String contentType,
                  HttpRequest.BodyPublisher body) {
        HttpRequest.Builder b = request(path, query, "application/json").header("Content-Type", contentType)
                .POST(body);
        headers.forEach(b::header);
        return json(send(b.build()));
    }

    /** Sends and answers the body as a stream; any status but 2xx is read as a problem and thrown. */
    HttpResponse<InputStream> send(HttpRequest request) {
        HttpResponse<InputStream> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach " + base + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (r.statusCode() / 100 != 2) {
            throw problem(r, apiKey != null);
        }
        return r;
    }

    private static JsonNode json(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            byte[] bytes = in.readAllBytes();
            return bytes.length == 0 ? Json.mapper().nullNode() : Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The problem's detail and first task error, or the status and the start of the body when it is no problem; then
     * what the user can do about it (see {@link #advice}).
     */
    static ApiException problem(HttpResponse<InputStream> r, boolean keySent) {
        String text;
        try (InputStream in = r.body()) {
            text = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        } catch (IOException e) {
            text = "";
        }
        String message = problemMessage(r.statusCode(), text);
        return new ApiException(r.statusCode(), message
                + advice(r.statusCode(), r.headers().firstValue("Retry-After").orElse(null), keySent, message));
    }

    /**
     * What the service's detail cannot say, appended to {@code message}: for a 401, where this client takes its key
     * from (the detail names the service's settings, which the user of the client may not own); for a 429, when to
     * try again, from {@code Retry-After} (a quota's detail says it already; a limit of the whole service's does
     * not). The client does not retry by itself: a script decides, and the exit code (2) stays that of an API error.
     * Never the key itself.
     */
    static String advice(int status, String retryAfter, boolean keySent, String message) {
        if (status == 401) {
            return keySent
                    ? "; the API key given (--api-key or FANOUT_API_KEY) was not accepted, or may have been removed: "
                            + "give a current one with --api-key KEY or FANOUT_API_KEY"
                    : "; no API key was given: pass --api-key KEY or set FANOUT_API_KEY";
        }
        if (status == 429 && retryAfter != null && !retryAfter.isBlank()) {
            String v = retryAfter.strip();
            // delta-seconds, as this service sends; an HTTP-date is shown as it came
            String when = "retry after " + (v.chars().allMatch(Character::isDigit) ? v + " s" : v);
            return message.contains(when) ? "" : "; " + when;
        }
        return "";
    }

    static String problemMessage(int status, String body) {
        try {
            JsonNode p = Json.mapper().readTree(body);
            if (p != null && p.hasNonNull("detail")) {
                StringBuilder m = new StringBuilder(p.path("detail").asText());
                JsonNode first = p.path("errors").path(0);
                if (first.hasNonNull("message") && !m.toString().contains(first.path("message").asText())) {
                    m.append(" (").append(first.path("message").asText()).append(')');
                }
                return m + " [" + status + "]";
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: say what came
        }
        String start = body.strip();
        return "HTTP " + status + (start.isEmpty() ? "" : ": " + (start.length() > 200 ? start.substring(0, 200) : start));
    }

    /** Query parameters from name, value pairs in order; null values are left out. */
    static Map<String, String> query(String... namesAndValues) {
        Map<String, String> q = new LinkedHashMap<>();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            q.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return q;
    }

    static String queryString(Map<String, String> query) {
        StringJoiner j = new StringJoiner("&", "?", "").setEmptyValue("");
        query.forEach((k, v) -> {
            if (v != null) {
                j.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return j.toString();
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e instanceof java.net.ConnectException ? "connection refused" : e.getClass().getSimpleName();
        }
        return m;
    }

    @Override
    public void close() {
        http.close();
    }
}
