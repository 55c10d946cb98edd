package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The body of {@code fanout submit FILE|-}, streamed (a file is never read whole) in one of the two forms the API
 * reads: NDJSON (one task per line) when the name ends {@code .ndjson} or {@code .jsonl}, or when its first line is a
 * whole JSON object with no {@code tasks} field (a task); a bare JSON array of tasks, which the API does not take, is
 * sent wrapped as {@code {"tasks": [...]}}; anything else as JSON ({@code {"tasks": [...]}} with options), which the
 * API checks.
 */
record TaskFile(String contentType, BodyPublisher body) {
    static final String NDJSON = "application/x-ndjson";
    static final String JSON = "application/json";
    /** How much of the start is looked at to tell the forms apart. */
    private static final int PEEK = 1 << 20;
    /** Before a bare array: on its first line, so the API's line numbers in errors stay those of the file. */
    private static final String WRAP_START = "{\"tasks\":";

    /** What a file holds, as far as its start tells. */
    enum Form { NDJSON, JSON, ARRAY }

    static TaskFile open(String name, InputStream stdin) throws IOException {
        if (name.equals("-")) {
            BufferedInputStream in = new BufferedInputStream(stdin, 64 * 1024);
            in.mark(PEEK);
            byte[] start = in.readNBytes(PEEK);
            in.reset();
            return of(form(null, start), BodyPublishers.ofInputStream(() -> in));
        }
        Path path = Path.of(name);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no such file: " + name);
        }
        byte[] start;
        try (InputStream in = Files.newInputStream(path)) {
            start = in.readNBytes(PEEK);
        }
        return of(form(name, start), BodyPublishers.ofFile(path));
    }

    private static TaskFile of(Form form, BodyPublisher content) {
        return switch (form) {
            case NDJSON -> new TaskFile(NDJSON, content);
            case JSON -> new TaskFile(JSON, content);
            case ARRAY -> new TaskFile(JSON, BodyPublishers.concat(BodyPublishers.ofString(WRAP_START), content,
                    BodyPublishers.ofString("}")));
        };
    }

    /**
     * A bare array when the first non-blank character is {@code [} (never a line of NDJSON, whose lines are task
     * objects); else NDJSON or JSON by the name's extension, else by the first non-blank line.
     */
    static Form form(String name, byte[] start) {
        String text = new String(start, StandardCharsets.UTF_8);
        if (text.strip().startsWith("[")) {
            return Form.ARRAY;
        }
        if (name != null) {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl")) {
                return Form.NDJSON;
            }
        }
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.isEmpty()) {
                continue;
            }
            if (!l.startsWith("{")) {
                return Form.JSON;
            }
            try {
                JsonNode first = Json.mapper().readTree(l);
                return first != null && first.isObject() && !first.has("tasks") ? Form.NDJSON : Form.JSON;
            } catch (IOException e) {
                return Form.JSON; // an object spread over several lines: a JSON document
            }
        }
        return Form.JSON;
    }
}
