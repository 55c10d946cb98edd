package dev.fanout.functions.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.fanout.spi.Inputs;
import dev.fanout.spi.InvalidInputException;

import java.util.Set;

/**
 * An invoke task's checked input: {@code {"functionName": "name or ARN", "qualifier": null, "payload": <any JSON>}}.
 *
 * @param qualifier the version or alias to invoke; null for none (the function name's own, if any, or $LATEST)
 * @param payload   what the function receives, as JSON text (JSON null when the task gives none)
 */
record InvokeInput(FunctionRef function, String qualifier, JsonNode payload) {
    private static final Set<String> FIELDS = Set.of("functionName", "qualifier", "payload");
    private static final int MAX_QUALIFIER = 128;

    /** @throws InvalidInputException naming the field and what is expected, or the setting that would allow it */
    static InvokeInput parse(JsonNode input, Allowlist allowlist) throws InvalidInputException {
        if (allowlist.isEmpty()) {
            throw new InvalidInputException("invoke is disabled on this service: allow functions with "
                    + Invoke.ALLOWED + " (names or ARN patterns, comma-separated)");
        }
        JsonNode obj = Inputs.object(input, FIELDS);
        String name = Inputs.string(obj, "functionName", null);
        if (name.isEmpty() || name.length() > FunctionRef.MAX_LENGTH) {
            throw new InvalidInputException("input.functionName: expected 1 to " + FunctionRef.MAX_LENGTH
                    + " characters, got " + name.length());
        }
        FunctionRef function;
        try {
            function = FunctionRef.parse(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("input.functionName: " + e.getMessage() + "; got "
                    + Inputs.describe(obj.get("functionName")));
        }
        String qualifier = Inputs.string(obj, "qualifier", "");
        if (!qualifier.isEmpty() && (qualifier.length() > MAX_QUALIFIER
                || !FunctionRef.QUALIFIER.matcher(qualifier).matches())) {
            throw new InvalidInputException("input.qualifier: expected a version or an alias (at most "
                    + MAX_QUALIFIER + " letters, digits, $, _ and -), got " + Inputs.describe(obj.get("qualifier")));
        }
        if (!qualifier.isEmpty() && function.qualifier() != null && !qualifier.equals(function.qualifier())) {
            throw new InvalidInputException("input.qualifier: '" + qualifier + "' contradicts the qualifier in "
                    + "functionName, '" + function.qualifier() + "'");
        }
        if (!allowlist.allows(function)) {
            throw new InvalidInputException("input.functionName: '" + name + "' is not allowed; add it to "
                    + Invoke.ALLOWED + " (names or ARN patterns)");
        }
        JsonNode payload = obj.path("payload").isMissingNode() ? NullNode.instance : obj.get("payload");
        return new InvokeInput(function, qualifier.isEmpty() ? null : qualifier, payload);
    }

    /** The function as the task named it, with its qualifier: {@code order-check:prod}. */
    String display() {
        return function.text() + (qualifier != null && function.qualifier() == null ? ":" + qualifier : "");
    }
}
