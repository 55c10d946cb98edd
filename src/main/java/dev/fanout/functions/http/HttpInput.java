package dev.fanout.functions.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.Inputs;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The input of the http function, checked: {@code {"url", "method", "headers", "body", "timeout", "followRedirects"}}. */
record HttpInput(String method, URI uri, Map<String, String> headers, byte[] body, Duration timeout,
                 boolean followRedirects) {
    private static final Set<String> FIELDS = Set.of("method", "url", "headers", "body", "timeout", "followRedirects");
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    /** Headers that decide framing or routing: the client sets them, a task may not. */
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "content-length", "transfer-encoding",
            "connection", "upgrade", "expect", "te", "trailer", "keep-alive", "proxy-authorization",
            "proxy-connection");
    /** What is refused whatever the configuration, checkable at submission for a literal address. */
    private static final AddressPolicy ALWAYS_REFUSED = new AddressPolicy(true);

    static HttpInput parse(JsonNode input) throws InvalidInputException {
        JsonNode obj = Inputs.object(input, FIELDS);
        String method = Inputs.string(obj, "method", "GET").toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new InvalidInputException("input.method: expected one of " + String.join(", ",
                    METHODS.stream().sorted().toList()) + ", got '" + method + "'");
        }
        URI uri;
        try {
            uri = checkScheme(new URI(Inputs.string(obj, "url", null)));
        } catch (URISyntaxException e) {
            throw new InvalidInputException("input.url: not a valid URL: " + e.getMessage());
        } catch (IOException e) {
            throw new InvalidInputException("input.url: " + e.getMessage());
        }
        checkLiteralAddress(uri.getHost());
        Map<String, String> headers = new LinkedHashMap<>();
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
                if (RESERVED_HEADERS.contains(e.getKey().toLowerCase(Locale.ROOT))) {
                    throw new InvalidInputException("input.headers." + e.getKey() + ": set by the client itself; "
                            + "a task may not set it");
                }
                if (!e.getKey().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+") || e.getValue().textValue().matches(".*[\\r\\n].*")) {
                    throw new InvalidInputException("input.headers." + e.getKey() + ": not a valid header");
                }
                headers.put(e.getKey(), e.getValue().textValue());
            }
        }
        byte[] body = obj.hasNonNull("body") ? Inputs.string(obj, "body", null).getBytes(StandardCharsets.UTF_8) : null;
        Duration timeout = Inputs.duration(obj, "timeout", Duration.ofHours(1), Duration.ZERO);
        JsonNode follow = obj.get("followRedirects");
        if (follow != null && !follow.isNull() && !follow.isBoolean()) {
            throw new InvalidInputException("input.followRedirects: expected true or false");
        }
        return new HttpInput(method, uri, headers, body, timeout, follow == null || follow.asBoolean(true));
    }

    static URI checkScheme(URI uri) throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IOException("only absolute http and https URLs are allowed, got '" + uri + "'");
        }
        return uri;
    }

    /** A literal IP that is never allowed is refused at submission already; host names are checked when resolved. */
    private static void checkLiteralAddress(String host) throws InvalidInputException {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!bare.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            return;
        }
        try {
            InetAddress a = InetAddress.getByName(bare); // a literal: no DNS lookup
            String why = ALWAYS_REFUSED.refusal(a);
            if (why != null) {
                throw new InvalidInputException("input.url: " + bare + " is " + why);
            }
        } catch (UnknownHostException e) {
            throw new InvalidInputException("input.url: not a valid address: " + bare);
        }
    }
}
