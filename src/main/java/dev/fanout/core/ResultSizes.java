package dev.fanout.core;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;

/**
 * Estimates the heap a kept result takes, so that retention can be bounded in bytes and not only in counts: one
 * {@code http} result may keep 32 KiB of body where a {@code sleep} result keeps a number. The figures are rough
 * (compact Latin-1 strings, 64-bit JVM with compressed pointers) but proportional, which is what a bound needs.
 */
public final class ResultSizes {
    private static final int RESULT = 120;   // the TaskResult record, its Instant, its state
    private static final int STRING = 48;    // String + its byte[] header
    private static final int NODE = 24;      // a value node
    private static final int CONTAINER = 64; // an ObjectNode/ArrayNode and its map or list
    private static final int ENTRY = 40;     // a map entry or a list slot with its boxing

    private ResultSizes() {
    }

    public static long estimate(TaskResult r) {
        long bytes = RESULT + string(r.id()) + string(r.backend());
        if (r.error() != null) {
            bytes += NODE + string(r.error().message());
        }
        return bytes + (r.output() == null ? 0 : tree(r.output()));
    }

    private static long string(String s) {
        return s == null ? 0 : STRING + s.length();
    }

    /** Walks the tree without recursion: a deep output must not cost a stack overflow here. */
    private static long tree(JsonNode root) {
        long bytes = 0;
        ArrayDeque<JsonNode> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            JsonNode n = todo.pop();
            if (n.isObject()) {
                bytes += CONTAINER;
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    bytes += ENTRY + string(e.getKey());
                    todo.push(e.getValue());
                }
            } else if (n.isArray()) {
                bytes += CONTAINER;
                for (JsonNode child : n) {
                    bytes += ENTRY;
                    todo.push(child);
                }
            } else if (n.isTextual()) {
                bytes += NODE + string(n.textValue());
            } else if (n.isBinary()) {
                bytes += NODE + n.asText().length();
            } else {
                bytes += NODE;
            }
        }
        return bytes;
    }
}
