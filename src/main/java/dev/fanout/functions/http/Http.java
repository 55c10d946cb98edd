package dev.fanout.functions.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.core.AdaptiveLimit;
import dev.fanout.core.Json;
import dev.fanout.core.KeyedLimit;
import dev.fanout.core.KeyedLimits;
import dev.fanout.functions.Sha256;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.Settings;
import dev.fanout.spi.TaskContext;
import dev.fanout.spi.TaskFunction;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.List;
import javax.net.ssl.SSLException;
import org.apache.hc.core5.http.ConnectionClosedException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One HTTP request. Answers status, headers, the body (first {@code fanout.http.max-body-bytes} as text), its total
 * size and SHA-256. Safe by default: only http and https; every host is resolved once and the connection goes to the
 * address that was checked ({@link GuardedDnsResolver}); redirects are followed here, hop by hop, each hop checked;
 * response size and redirects are capped.
 *
 * <p>Apache HttpClient rather than the JDK's: the JDK client cannot be told to connect to an address resolved
 * beforehand while keeping the host name for TLS (SNI and certificate checks), which "resolve once, connect to what
 * was checked" needs.
 *
 * <p>Polite with each host: the requests to one host (host and port) share one adaptive concurrency limit of a
 * {@link KeyedLimits}, which starts at {@code fanout.http.max-per-host}; a 429 or 503 lowers it, any other answer
 * raises it again, and no answer (a connection error, a timeout, a cancel) changes nothing.
 */
public final class Http implements TaskFunction, AutoCloseable {
    static final String MAX_BODY_BYTES = "fanout.http.max-body-bytes";
    static final String MAX_RESPONSE_BYTES = "fanout.http.max-response-bytes";
    static final String MAX_REDIRECTS = "fanout.http.max-redirects";
    static final String CONNECT_TIMEOUT = "fanout.http.connect-timeout";
    static final String ALLOW_PRIVATE = "fanout.http.allow-private-addresses";
    static final String MAX_PER_HOST = "fanout.http.max-per-host";
    static final String MAX_RETRY_AFTER = "fanout.http.max-retry-after";
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private volatile CloseableHttpClient client;
    private KeyedLimits hosts = new KeyedLimits(256);
    private Duration maxRetryAfter = Duration.ofSeconds(60);

    @Override
    public void configure(Settings settings) {
        hosts = new KeyedLimits((int) settings.getLong(MAX_PER_HOST, 256));
        maxRetryAfter = settings.getDuration(MAX_RETRY_AFTER, Duration.ofSeconds(60));
    }

    KeyedLimits hosts() {
        return hosts;
    }

    /** The host of {@code uri}, its port included when another than the scheme's: what shares a limit. */
    static String host(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        return uri.getHost().toLowerCase(Locale.ROOT)
                + (port < 0 || (port == 80 && scheme.equals("http")) || (port == 443 && scheme.equals("https"))
                ? "" : ":" + port);
    }

    /** Calls {@code watcher} with each host shown by name in the metrics, now and as they come. */
    public void watchHosts(java.util.function.Consumer<KeyedLimit> watcher) {
        hosts.watch(watcher);
    }

    /** The hosts beyond those shown by name: their throttles together. */
    public KeyedLimit otherHosts() {
        return hosts.other();
    }

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
                + "status, headers, body (capped by fanout.http.max-body-bytes), bytes, sha256, truncated. "
                + "Private and loopback addresses need fanout.http.allow-private-addresses; link-local and "
                + "cloud metadata addresses are never reached.";
    }

    @Override
    public JsonNode example() {
        return Json.mapper().createObjectNode().put("method", "GET").put("url", "https://example.com/");
    }

    @Override
    public void validate(JsonNode input) throws InvalidInputException {
        HttpInput.parse(input);
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) throws Exception {
        HttpInput request = HttpInput.parse(input);
        Settings settings = context.settings();
        long maxRedirects = settings.getLong(MAX_REDIRECTS, 5);
        URI uri = request.uri();
        String method = request.method();
        byte[] body = request.body();
        try {
            for (int hop = 0; ; hop++) {
                Hop answer = politely(uri, build(request, uri, method, body), request.followRedirects(), settings);
                if (answer.location() == null) {
                    return answer.output();
                }
                if (hop >= maxRedirects) {
                    throw new IOException("more than " + maxRedirects + " redirects (" + MAX_REDIRECTS + "), last to "
                            + answer.location());
                }
                uri = HttpInput.checkScheme(uri.resolve(answer.location()));
                if (answer.status() == 303 || (answer.status() <= 302 && !"HEAD".equals(method))) {
                    // what browsers do: 303 always, and 301/302 in practice, turn into a GET without a body
                    method = "GET";
                    body = null;
                }
            }
        } catch (RefusedAddressException e) {
            throw new InvalidInputException("input.url: " + e.getMessage());
        }
    }

    /** One hop's outcome: a redirect to follow, or the answer. */
    private record Hop(int status, String location, JsonNode output, String retryAfter) {
    }

    /**
     * Sends one request within its host's limit. A 429 or 503 lowers the limit, waits for the server's Retry-After
     * (at most {@code fanout.http.max-retry-after}) and fails the attempt, so that the task is tried again within its
     * batch's retries.
     */
    private Hop politely(URI uri, HttpUriRequestBase request, boolean followRedirects, Settings settings)
            throws IOException, InterruptedException {
        KeyedLimits.Key host = hosts.of(host(uri));
        AdaptiveLimit.Permit permit = host.acquire();
        KeyedLimits.Outcome outcome = KeyedLimits.Outcome.NOTHING_LEARNED; // no answer: a connection error, a timeout
        Hop answer;
        try {
            answer = client(settings).execute(request, response -> read(response, followRedirects, settings));
            // any answer but 429 and 503: the server had room
            outcome = answer.status() == 429 || answer.status() == 503 ? KeyedLimits.Outcome.THROTTLED
                    : KeyedLimits.Outcome.TOOK_IT;
        } finally {
            host.release(permit, outcome);
        }
        if (outcome == KeyedLimits.Outcome.THROTTLED) {
            Duration wait = RetryAfter.parse(answer.retryAfter(), maxRetryAfter);
            Thread.sleep(wait);
            throw new ThrottledException("HTTP " + answer.status() + " from " + host.name() + " (too many requests)"
                    + (wait.isZero() ? "" : "; waited its Retry-After, " + wait.toMillis() + " ms")
                    + ": tried again within the batch's retries");
        }
        return answer;
    }

    private static HttpUriRequestBase build(HttpInput request, URI uri, String method, byte[] body) {
        HttpUriRequestBase r = new HttpUriRequestBase(method, uri);
        request.headers().forEach(r::addHeader);
        if (body != null) {
            r.setEntity(new ByteArrayEntity(body, null));
        }
        if (!request.timeout().isZero()) {
            r.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(request.timeout())).build());
        }
        return r;
    }

    private static Hop read(ClassicHttpResponse response, boolean followRedirects, Settings settings)
            throws IOException {
        Header location = response.getFirstHeader("Location");
        if (followRedirects && REDIRECTS.contains(response.getCode()) && location != null) {
            return new Hop(response.getCode(), location.getValue(), null, null);
        }
        Header retryAfter = response.getFirstHeader("Retry-After");
        long maxBody = settings.getLong(MAX_BODY_BYTES, 32 * 1024);
        long maxResponse = settings.getLong(MAX_RESPONSE_BYTES, 64L * 1024 * 1024);
        MessageDigest sha = Sha256.newDigest();
        // grown as needed: most bodies are small, and ten thousand requests must not each zero a full buffer
        ByteArrayOutputStream kept = new ByteArrayOutputStream((int) Math.min(maxBody, 1024));
        long total = 0;
        if (response.getEntity() != null) {
            try (InputStream in = response.getEntity().getContent()) {
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    total += n;
                    if (total > maxResponse) {
                        throw new IOException("response body exceeds " + maxResponse + " bytes (" + MAX_RESPONSE_BYTES
                                + ")");
                    }
                    sha.update(buffer, 0, n);
                    kept.write(buffer, 0, (int) Math.max(0, Math.min(n, maxBody - kept.size())));
                }
            }
        }
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("status", response.getCode());
        Map<String, String> headers = new TreeMap<>();
        for (Header h : response.getHeaders()) {
            headers.merge(h.getName().toLowerCase(Locale.ROOT), h.getValue(), (a, b) -> a + ", " + b);
        }
        ObjectNode headerNode = out.putObject("headers");
        headers.forEach(headerNode::put);
        out.put("body", kept.toString(StandardCharsets.UTF_8));
        out.put("bytes", total);
        out.put("sha256", HexFormat.of().formatHex(sha.digest()));
        out.put("truncated", total > kept.size());
        return new Hop(response.getCode(), null, out, retryAfter == null ? null : retryAfter.getValue());
    }

    private CloseableHttpClient client(Settings settings) {
        CloseableHttpClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    // built on first use, not at construction: a native image must not hold a started client
                    Duration connect = settings.getDuration(CONNECT_TIMEOUT, Duration.ofSeconds(10));
                    c = HttpClients.custom()
                            .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                                    .setDnsResolver(new GuardedDnsResolver(
                                            new AddressPolicy(settings.getBoolean(ALLOW_PRIVATE, false))))
                                    .setMaxConnTotal(100_000)
                                    .setMaxConnPerRoute(100_000)
                                    .setDefaultConnectionConfig(ConnectionConfig.custom()
                                            .setConnectTimeout(Timeout.of(connect))
                                            .setTimeToLive(TimeValue.ofMinutes(5))
                                            // servers close idle keep-alive connections when they keep too
                                            // many (the JDK's own server beyond 200): every reused connection is
                                            // checked before a request is written on it
                                            .setValidateAfterInactivity(TimeValue.ZERO_MILLISECONDS)
                                            .build())
                                    .build())
                            .disableRedirectHandling()
                            // one more try for idempotent requests whose pooled connection turned out dead
                            // before any answer (NoHttpResponseException); POST and PATCH are never re-sent. No
                            // status is retried here (the client's default retries 429 and 503 by itself): those
                            // lower the host's limit and the task is tried again within its batch's retries
                            .setRetryStrategy(new DefaultHttpRequestRetryStrategy(2, TimeValue.ZERO_MILLISECONDS,
                                    List.of(InterruptedIOException.class, UnknownHostException.class,
                                            ConnectException.class, ConnectionClosedException.class,
                                            NoRouteToHostException.class, SSLException.class), List.of()) { })
                            .disableCookieManagement()
                            .disableAuthCaching()
                            .evictIdleConnections(TimeValue.ofSeconds(30))
                            .build();
                    client = c;
                }
            }
        }
        return c;
    }

    @Override
    public void close() throws IOException {
        CloseableHttpClient c = client;
        if (c != null) {
            c.close();
        }
    }
}
