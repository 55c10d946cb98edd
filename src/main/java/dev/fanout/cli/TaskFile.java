package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The body of {@code fanout submit FILE|-}, sent as it is (a file streams, it is never read whole): NDJSON (one task
 * per line) when the name ends {@code .ndjson} or {@code .jsonl}, or when its first line is a whole JSON object with
 * no {@code tasks} field (a task); JSON ({@code {"tasks": [...]}} with options) otherwise, which the API checks.
 */
record TaskFile(String contentType, HttpRequest.BodyPublisher body) {
    static final String NDJSON = "application/x-ndjson";
    static final String JSON = "application/json";
    /** How much of the start is looked at to tell the two apart. */
    private static final int PEEK = 1 << 20;

    static TaskFile open(String name, InputStream stdin) throws IOException {
        if (name.equals("-")) {
            BufferedInputStream in = new BufferedInputStream(stdin, 64 * 1024);
            in.mark(PEEK);
            byte[] start = in.readNBytes(PEEK);
            in.reset();
            return new TaskFile(contentType(null, start), HttpRequest.BodyPublishers.ofInputStream(() -> in));
        }
        Path path = Path.of(name);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no such file: " + name);
        }
        byte[] start;
        try (InputStream in = Files.newInputStream(path)) {
            start = in.readNBytes(PEEK);
        }
        return new TaskFile(contentType(name, start), HttpRequest.BodyPublishers.ofFile(path));
    }

    /** NDJSON or JSON, by the name's extension first, else by the first non-blank line. */
    static String contentType(String name, byte[] start) {
        if (name != null) {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl")) {
                return NDJSON;
            }
        }
        String text = new String(start, StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.isEmpty()) {
                continue;
            }
            if (!l.startsWith("{")) {
                return JSON;
            }
            try {
                JsonNode first = Json.mapper().readTree(l);
                return first != null && first.isObject() && !first.has("tasks") ? NDJSON : JSON;
            } catch (IOException e) {
                return JSON; // an object spread over several lines: a JSON document
            }
        }
        return JSON;
    }
}
