package dev.fanout.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.core.Json;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.Inputs;
import dev.fanout.spi.Settings;
import dev.fanout.spi.TaskContext;
import dev.fanout.spi.TaskFunction;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;

/**
 * One HTTP request with the JDK client. Answers status, headers, the body (first {@code fanout.http.max-body-bytes}
 * as text), its total size and SHA-256. Redirects are followed here, hop by hop, so every hop goes through the same
 * checks.
 */
public final class Http implements TaskFunction, AutoCloseable {
    static final String MAX_BODY_BYTES = "fanout.http.max-body-bytes";
    static final String MAX_RESPONSE_BYTES = "fanout.http.max-response-bytes";
    static final String MAX_REDIRECTS = "fanout.http.max-redirects";
    static final String CONNECT_TIMEOUT = "fanout.http.connect-timeout";
    private static final Set<String> FIELDS = Set.of("method", "url", "headers", "body", "timeout", "followRedirects");
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    /**
     * Several clients, used in turn: one JDK client's connection pool and selector thread do not scale to tens of
     * thousands of simultaneous connections (its idle-connection list is searched linearly), several small ones do.
     */
    private static final int CLIENTS = 8;
    private final java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong();
    private volatile HttpClient[] clients;

    @Override
    public String name() {
        return "http";
    }

    @Override
    public FunctionKind kind() {
        return FunctionKind.IO;
    }

    @Override
    public String description() {
        return "Sends one HTTP request (input: url, method, headers, body, timeout, followRedirects); answers "
                + "status, headers, body (capped by fanout.http.max-body-bytes), bytes, sha256, truncated.";
    }

    @Override
    public JsonNode example() {
        return Json.mapper().createObjectNode().put("method", "GET").put("url", "https://example.com/");
    }

    @Override
    public void validate(JsonNode input) throws InvalidInputException {
        Request.parse(input);
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) throws Exception {
        Request request = Request.parse(input);
        Settings settings = context.settings();
        long maxRedirects = settings.getLong(MAX_REDIRECTS, 5);
        URI uri = request.uri;
        String method = request.method;
        String body = request.body;
        for (int hop = 0; ; hop++) {
            HttpResponse<InputStream> response = client(settings)
                    .send(request.build(uri, method, body), HttpResponse.BodyHandlers.ofInputStream());
            String location = response.headers().firstValue("location").orElse(null);
            if (!request.followRedirects || !REDIRECTS.contains(response.statusCode()) || location == null) {
                return answer(response, settings);
            }
            response.body().close();
            if (hop >= maxRedirects) {
                throw new IOException("more than " + maxRedirects + " redirects (" + MAX_REDIRECTS + "), last to "
                        + location);
            }
            uri = Request.checkScheme(uri.resolve(location));
            if (response.statusCode() == 303 || (response.statusCode() <= 302 && !"HEAD".equals(method))) {
                // what browsers do: 303 always, and 301/302 in practice, turn into a GET without a body
                method = "GET";
                body = null;
            }
        }
    }

    private static JsonNode answer(HttpResponse<InputStream> response, Settings settings) throws IOException {
        long maxBody = settings.getLong(MAX_BODY_BYTES, 32 * 1024);
        long maxResponse = settings.getLong(MAX_RESPONSE_BYTES, 64L * 1024 * 1024);
        MessageDigest sha = Sha256.newDigest();
        // grown as needed: most bodies are small, and ten thousand requests must not each zero a full buffer
        java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream((int) Math.min(maxBody, 1024));
        long total = 0;
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
                if (total > maxResponse) {
                    throw new IOException("response body exceeds " + maxResponse + " bytes (" + MAX_RESPONSE_BYTES
                            + ")");
                }
                sha.update(buffer, 0, n);
                int keep = (int) Math.min(n, maxBody - kept.size());
                kept.write(buffer, 0, Math.max(0, keep));
            }
        }
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("status", response.statusCode());
        ObjectNode headers = out.putObject("headers");
        response.headers().map().forEach((name, values) -> headers.put(name, String.join(", ", values)));
        out.put("body", kept.toString(StandardCharsets.UTF_8));
        out.put("bytes", total);
        out.put("sha256", java.util.HexFormat.of().formatHex(sha.digest()));
        out.put("truncated", total > kept.size());
        return out;
    }

    private HttpClient client(Settings settings) {
        HttpClient[] c = clients;
        if (c == null) {
            synchronized (this) {
                c = clients;
                if (c == null) {
                    // built on first use, not at construction: a native image must not hold a started client
                    c = new HttpClient[CLIENTS];
                    for (int i = 0; i < c.length; i++) {
                        c[i] = HttpClient.newBuilder()
                                .followRedirects(HttpClient.Redirect.NEVER)
                                .connectTimeout(settings.getDuration(CONNECT_TIMEOUT, Duration.ofSeconds(10)))
                                .executor(Executors.newVirtualThreadPerTaskExecutor())
                                .build();
                    }
                    clients = c;
                }
            }
        }
        return c[(int) (next.getAndIncrement() & (CLIENTS - 1))];
    }

    @Override
    public void close() {
        HttpClient[] c = clients;
        if (c != null) {
            for (HttpClient client : c) {
                client.close();
            }
        }
    }

    /** The validated input. */
    private record Request(String method, URI uri, Map<String, String> headers, String body, Duration timeout,
                           boolean followRedirects) {

        static Request parse(JsonNode input) throws InvalidInputException {
            JsonNode obj = Inputs.object(input, FIELDS);
            String method = Inputs.string(obj, "method", "GET").toUpperCase(java.util.Locale.ROOT);
            if (!METHODS.contains(method)) {
                throw new InvalidInputException("input.method: expected one of " + String.join(", ",
                        METHODS.stream().sorted().toList()) + ", got '" + method + "'");
            }
            URI uri;
            try {
                uri = checkScheme(new URI(Inputs.string(obj, "url", null)));
            } catch (java.net.URISyntaxException e) {
                throw new InvalidInputException("input.url: not a valid URL: " + e.getMessage());
            } catch (IOException e) {
                throw new InvalidInputException("input.url: " + e.getMessage());
            }
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            JsonNode h = obj.get("headers");
            if (h != null && !h.isNull()) {
                if (!h.isObject()) {
                    throw new InvalidInputException("input.headers: expected an object of name: value strings");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!e.getValue().isTextual()) {
                        throw new InvalidInputException("input.headers." + e.getKey() + ": expected a string");
                    }
                    headers.put(e.getKey(), e.getValue().textValue());
                }
            }
            String body = obj.hasNonNull("body") ? Inputs.string(obj, "body", null) : null;
            Duration timeout = Inputs.duration(obj, "timeout", Duration.ofHours(1), Duration.ZERO);
            JsonNode follow = obj.get("followRedirects");
            if (follow != null && !follow.isNull() && !follow.isBoolean()) {
                throw new InvalidInputException("input.followRedirects: expected true or false");
            }
            Request r = new Request(method, uri, headers, body, timeout, follow == null || follow.asBoolean(true));
            r.build(uri, method, body); // rejects headers the JDK client refuses (Host, Content-Length, ...)
            return r;
        }

        static URI checkScheme(URI uri) throws IOException {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new IOException("only absolute http and https URLs are allowed, got '" + uri + "'");
            }
            return uri;
        }

        HttpRequest build(URI target, String method, String body) throws InvalidInputException {
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(target).method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
                if ("http".equalsIgnoreCase(target.getScheme())) {
                    // HTTP/2 over plain http means an h2c upgrade attempt on every new connection, which almost no
                    // server accepts; https negotiates HTTP/2 through TLS instead
                    b.version(HttpClient.Version.HTTP_1_1);
                }
                headers.forEach(b::header);
                if (!timeout.isZero()) {
                    b.timeout(timeout);
                }
                return b.build();
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("input: " + e.getMessage());
            }
        }
    }
}
