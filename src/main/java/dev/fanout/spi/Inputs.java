package dev.fanout.spi;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.Iterator;
import java.util.Set;

/**
 * Reads fields of a function input with messages that tell the client what to fix
 * ({@code "limit: expected an integer between 0 and 100000000, got \"ten\""}).
 */
public final class Inputs {
    private Inputs() {
    }

    /** The input as an object; JSON null (no input) counts as an empty object. */
    public static JsonNode object(JsonNode input, Set<String> allowedFields) throws InvalidInputException {
        if (input == null || input.isNull() || input.isMissingNode()) {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        if (!input.isObject()) {
            throw new InvalidInputException("input: expected a JSON object, got " + describe(input));
        }
        for (Iterator<String> it = input.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!allowedFields.contains(field)) {
                throw new InvalidInputException("input." + field + ": unknown field; expected one of "
                        + String.join(", ", allowedFields.stream().sorted().toList()));
            }
        }
        return input;
    }

    public static String string(JsonNode obj, String field, String defaultValue) throws InvalidInputException {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            if (defaultValue == null) {
                throw new InvalidInputException("input." + field + ": required string is missing");
            }
            return defaultValue;
        }
        if (!v.isTextual()) {
            throw new InvalidInputException("input." + field + ": expected a string, got " + describe(v));
        }
        return v.textValue();
    }

    public static long integer(JsonNode obj, String field, long min, long max, Long defaultValue)
            throws InvalidInputException {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            if (defaultValue == null) {
                throw new InvalidInputException("input." + field + ": required integer is missing");
            }
            return defaultValue;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw new InvalidInputException("input." + field + ": expected an integer between " + min + " and "
                    + max + ", got " + describe(v));
        }
        return v.longValue();
    }

    public static Duration duration(JsonNode obj, String field, Duration max, Duration defaultValue)
            throws InvalidInputException {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            if (defaultValue == null) {
                throw new InvalidInputException("input." + field + ": required duration is missing; use "
                        + Durations.SYNTAX);
            }
            return defaultValue;
        }
        if (!v.isTextual()) {
            throw new InvalidInputException("input." + field + ": expected " + Durations.SYNTAX + ", got "
                    + describe(v));
        }
        Duration d;
        try {
            d = Durations.parse(v.textValue());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("input." + field + ": " + e.getMessage());
        }
        if (d.compareTo(max) > 0) {
            throw new InvalidInputException("input." + field + ": at most " + Durations.format(max) + ", got "
                    + v.textValue());
        }
        return d;
    }

    /** A short description of a value for error messages; long values are cut. */
    public static String describe(JsonNode v) {
        String s = v.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
