package com.example.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.Settings;
import dev.fanout.spi.TaskContext;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CollatzTest {
    private final ObjectMapper json = new ObjectMapper();
    private final TaskContext context = new TaskContext("t1", 1, Settings.EMPTY);

    @Test
    void findsTheLongestSequenceBelowAMillion() throws Exception {
        JsonNode out = new Collatz().apply(json.readTree("{\"to\": 999999}"), context);
        assertEquals(837799, out.get("number").asLong());
        assertEquals(524, out.get("steps").asInt());
    }

    @Test
    void aRangeOfOneIsThatNumber() throws Exception {
        JsonNode out = new Collatz().apply(json.readTree("{\"from\": 27, \"to\": 27}"), context);
        assertEquals(27, out.get("number").asLong());
        assertEquals(111, out.get("steps").asInt());
    }

    @Test
    void aBadRangeIsRefusedAtSubmission() throws Exception {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new Collatz().validate(json.readTree("{\"from\": 10, \"to\": 5}")));
        assertTrue(e.getMessage().contains("from <= to"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> new Collatz().validate(json.readTree("{\"upto\": 5}")));
        assertThrows(InvalidInputException.class,
                () -> new Collatz().validate(json.readTree("{\"from\": 1, \"to\": 9000000000000000000}")));
    }
}
