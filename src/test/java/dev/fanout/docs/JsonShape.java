package dev.fanout.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.fanout.core.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Whether an answer has the shape a document shows: the string {@code "..."} stands for any value, a string ending
 * in {@code ...} for any string that starts so; an object shows some of the answer's fields (each must be there and
 * match), an array all of its elements; anything else must be equal.
 */
public final class JsonShape {
    private static final String ANY = "...";

    private JsonShape() {
    }

    /** The JSON values of a text, one after the other (one document, or NDJSON lines). */
    public static List<JsonNode> values(String text) {
        try (MappingIterator<JsonNode> it = Json.mapper().readerFor(JsonNode.class).readValues(text)) {
            return it.readAll();
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }

    public static void assertMatches(List<JsonNode> expected, List<JsonNode> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": how many values, in " + actual);
        for (int i = 0; i < expected.size(); i++) {
            match(expected.get(i), actual.get(i), "$", what + "\n  shown:  " + expected.get(i) + "\n  answer: "
                    + actual.get(i));
        }
    }

    private static void match(JsonNode expected, JsonNode actual, String path, String what) {
        if (expected.isTextual() && expected.asText().endsWith(ANY)) {
            String prefix = expected.asText().substring(0, expected.asText().length() - ANY.length());
            assertTrue(prefix.isEmpty() || actual.isTextual() && actual.asText().startsWith(prefix),
                    path + " starts with '" + prefix + "': " + what);
        } else if (expected.isObject()) {
            assertTrue(actual.isObject(), path + " is an object: " + what);
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!actual.has(field.getKey())) {
                    fail(path + "." + field.getKey() + " is missing: " + what);
                }
                match(field.getValue(), actual.get(field.getKey()), path + "." + field.getKey(), what);
            }
        } else if (expected.isArray()) {
            assertTrue(actual.isArray() && actual.size() == expected.size(),
                    path + " has " + expected.size() + " elements: " + what);
            for (int i = 0; i < expected.size(); i++) {
                match(expected.get(i), actual.get(i), path + "[" + i + "]", what);
            }
        } else if (expected.isNumber()) {
            assertTrue(actual.isNumber() && expected.decimalValue().compareTo(actual.decimalValue()) == 0,
                    path + " is " + expected + ": " + what);
        } else {
            assertEquals(expected, actual, path + ": " + what);
        }
    }
}
