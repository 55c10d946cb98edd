package com.example.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.Inputs;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.TaskContext;
import dev.fanout.spi.TaskFailedException;
import dev.fanout.spi.TaskFunction;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IO function: fetches a web page and answers its HTTP status and {@code <title>}. It mostly waits, so fanout runs
 * it on a virtual thread of the service, tens of thousands at once. Blocking JDK calls react to interruption: that is
 * how a task timeout or a cancel stops it. It runs inside the service, so it reads at most {@value #MAX_BYTES} bytes of
 * a page; unlike fanout's own {@code http} function it may reach any address (private ones included): check the URL
 * against what your deployment allows before you copy it somewhere shared.
 */
public class PageTitle implements TaskFunction, AutoCloseable {
    private static final int MAX_BYTES = 256 * 1024;
    private static final Pattern TITLE = Pattern.compile("<title[^>]*>(.*?)</title>",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    /** One client for every task: it is thread-safe and pools connections. Closed when the service stops. */
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    @Override
    public String name() {
        return "page-title";
    }

    @Override
    public FunctionKind kind() {
        return FunctionKind.IO;
    }

    @Override
    public String description() {
        return "Fetches input.url and answers its HTTP status and <title>";
    }

    @Override
    public JsonNode example() {
        return JsonNodeFactory.instance.objectNode().put("url", "https://example.com/");
    }

    @Override
    public void validate(JsonNode input) throws InvalidInputException {
        url(input);
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(url(input)).timeout(Duration.ofSeconds(30)).GET().build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        String head;
        try (InputStream body = response.body()) {
            // the title is near the top: the first MAX_BYTES are enough, and a huge page cannot fill the heap
            head = new String(body.readNBytes(MAX_BYTES), StandardCharsets.UTF_8);
        }
        if (response.statusCode() >= 500) {
            // a failure fanout may retry (the batch's "retries"), with a message that says what happened
            throw new TaskFailedException(request.uri() + " answered " + response.statusCode());
        }
        Matcher m = TITLE.matcher(head);
        var out = JsonNodeFactory.instance.objectNode().put("status", response.statusCode());
        if (m.find()) {
            out.put("title", m.group(1).strip());
        } else {
            out.putNull("title");
        }
        return out;
    }

    private static URI url(JsonNode input) throws InvalidInputException {
        String url = Inputs.string(Inputs.object(input, Set.of("url")), "url", null);
        try {
            URI uri = URI.create(url);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new InvalidInputException("input.url: expected an http or https URL, got \"" + url + "\"");
    }

    @Override
    public void close() {
        client.close();
    }
}
