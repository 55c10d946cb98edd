package dev.fanout.functions.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.Settings;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** invoke tasks are checked at submission: a bad input or a function that is not allowed is a 400 saying why. */
class InvokeInputTest {
    private static Invoke invoke(Map<String, String> settings) {
        Invoke invoke = new Invoke();
        invoke.configure(Settings.of(settings));
        return invoke;
    }

    private static JsonNode json(String s) throws Exception {
        return Json.mapper().readTree(s);
    }

    private static String refusal(Invoke invoke, String input) throws Exception {
        JsonNode in = json(input);
        return assertThrows(InvalidInputException.class, () -> invoke.validate(in), input).getMessage();
    }

    @Test
    void everyTaskIsRefusedUntilFunctionsAreAllowed() throws Exception {
        for (Map<String, String> settings : java.util.List.of(Map.<String, String>of(),
                Map.of("fanout.invoke.allowed-functions", ""))) {
            Invoke invoke = invoke(settings);
            assertEquals("invoke is disabled on this service: allow functions with fanout.invoke.allowed-functions "
                    + "(names or ARN patterns, comma-separated)", refusal(invoke, "{\"functionName\": \"x\"}"));
            assertTrue(invoke.description().contains("Disabled"), invoke.description());
        }
    }

    @Test
    void aFunctionNotAllowedIsRefusedNamingTheSetting() throws Exception {
        Invoke invoke = invoke(Map.of("fanout.invoke.allowed-functions", "order-*",
                "fanout.lambda.region", "eu-west-1"));
        assertEquals("input.functionName: 'billing' is not allowed; add it to fanout.invoke.allowed-functions "
                + "(names or ARN patterns)", refusal(invoke, "{\"functionName\": \"billing\"}"));
        assertDoesNotThrow(() -> invoke.validate(json("{\"functionName\": \"order-check\", \"payload\": [1, 2]}")));
        assertDoesNotThrow(() -> invoke.validate(json("{\"functionName\": \"order-check\", \"qualifier\": \"prod\", "
                + "\"payload\": null}")));
        assertTrue(invoke.description().contains("Allowed: order-*"), invoke.description());
    }

    @Test
    void rejectsBadInputsWithTheFieldAndTheExpectation() throws Exception {
        Invoke invoke = invoke(Map.of("fanout.invoke.allowed-functions", "*"));
        record Case(String input, String expected) {
        }
        for (Case c : new Case[]{
                new Case("{}", "input.functionName: required string is missing"),
                new Case("null", "input.functionName: required string is missing"),
                new Case("[\"f\"]", "input: expected a JSON object"),
                new Case("{\"functionName\": 7}", "input.functionName: expected a string, got 7"),
                new Case("{\"functionName\": \"\"}", "input.functionName: expected 1 to 170 characters, got 0"),
                new Case("{\"functionName\": \"" + "f".repeat(171) + "\"}",
                        "input.functionName: expected 1 to 170 characters, got 171"),
                new Case("{\"functionName\": \"my function\"}", "input.functionName: expected a function name, "
                        + "name:qualifier, ACCOUNT:function:NAME or arn:aws:lambda:REGION:ACCOUNT:function:NAME"),
                new Case("{\"functionName\": \"f\", \"qualifier\": \"pr/od\"}",
                        "input.qualifier: expected a version or an alias"),
                new Case("{\"functionName\": \"f\", \"qualifier\": 1}", "input.qualifier: expected a string"),
                new Case("{\"functionName\": \"f:prod\", \"qualifier\": \"7\"}",
                        "input.qualifier: '7' contradicts the qualifier in functionName, 'prod'"),
                new Case("{\"functionName\": \"f\", \"Payload\": {}}", "input.Payload: unknown field; expected one of "
                        + "functionName, payload, qualifier")}) {
            String message = refusal(invoke, c.input);
            assertTrue(message.startsWith(c.expected), c.input + " -> " + message);
        }
        assertDoesNotThrow(() -> invoke.validate(json("{\"functionName\": \"f:prod\", \"qualifier\": \"prod\"}")));
        assertDoesNotThrow(() -> invoke.validate(json("{\"functionName\": \"f\", \"qualifier\": \"\"}")),
                "an empty qualifier is none, as in Lambda's pattern");
    }

    @Test
    void aMalformedAllowlistStopsTheStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> invoke(Map.of(
                "fanout.invoke.allowed-functions", "order-check:prod")));
        assertTrue(e.getMessage().contains("fanout.invoke.allowed-functions: 'order-check:prod'"), e.getMessage());
    }
}
