package dev.fanout.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import dev.fanout.functions.http.Http;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.Settings;
import dev.fanout.spi.TaskContext;
import dev.fanout.spi.TaskFunction;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BuiltInFunctionsTest {
    private static final TaskContext CONTEXT = new TaskContext("t", 1, Settings.EMPTY);

    private static JsonNode json(String s) throws Exception {
        return Json.mapper().readTree(s);
    }

    @Test
    void countsPrimesBelowALimit() throws Exception {
        Primes primes = new Primes();
        assertEquals(168, primes.apply(json("{\"limit\": 1000}"), CONTEXT).get("count").asInt());
        assertEquals(0, primes.apply(json("{\"limit\": 2}"), CONTEXT).get("count").asInt());
        assertEquals(1, primes.apply(json("{\"limit\": 3}"), CONTEXT).get("count").asInt());
        assertEquals(78498, primes.apply(json("{\"limit\": 1000000}"), CONTEXT).get("count").asInt());
    }

    @Test
    void hashesIteratively() throws Exception {
        Sha256 sha = new Sha256();
        assertEquals("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                sha.apply(json("{\"data\": \"hello\"}"), CONTEXT).get("hex").asText());
        // sha256 of the 32 raw bytes above
        assertEquals("9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50",
                sha.apply(json("{\"data\": \"hello\", \"rounds\": 2}"), CONTEXT).get("hex").asText());
    }

    @Test
    void rejectsBadInputsWithTheFieldAndTheExpectation() {
        record Case(TaskFunction function, String input, String expected) {
        }
        for (Case c : List.of(
                new Case(new Primes(), "{\"limit\": \"ten\"}", "input.limit: expected an integer between 0"),
                new Case(new Primes(), "{}", "input.limit: required integer is missing"),
                new Case(new Primes(), "{\"limit\": 5, \"x\": 1}", "input.x: unknown field"),
                new Case(new Sleep(), "{\"duration\": \"soon\"}", "input.duration: expected a duration"),
                new Case(new Sleep(), "{\"duration\": \"2h\"}", "input.duration: at most 1h"),
                new Case(new Sleep(), "[1]", "input: expected a JSON object"),
                new Case(new Sha256(), "{\"data\": 5}", "input.data: expected a string"),
                new Case(new Http(), "{\"url\": \"ftp://x/\"}", "only absolute http and https URLs"),
                new Case(new Http(), "{\"url\": \"http://x/\", \"method\": \"BREW\"}", "input.method: expected one of"),
                new Case(new Http(), "{\"url\": \"http://x/\", \"headers\": {\"Host\": \"y\"}}",
                        "input.headers.Host: set by the client itself"),
                new Case(new Http(), "{\"url\": \"http://169.254.169.254/latest/meta-data/\"}",
                        "169.254.169.254 is a link-local address"),
                new Case(new Http(), "{\"url\": \"http://[fd00:ec2::254]/\"}", "the cloud metadata address"))) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> c.function.validate(
                    json(c.input)), c.input);
            assertTrue(e.getMessage().contains(c.expected), e.getMessage());
        }
    }

    @Test
    void discoversEveryBuiltInFunction() {
        try (FunctionRegistry registry = FunctionRegistry.discover(getClass().getClassLoader(), Settings.EMPTY)) {
            for (String name : List.of("sleep", "http", "primes", "sha256", "noop")) {
                assertTrue(registry.find(name).isPresent(), name);
            }
        }
    }
}
