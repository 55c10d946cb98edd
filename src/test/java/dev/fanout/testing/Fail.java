package dev.fanout.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.TaskContext;

/** Always fails: {@code {"message": "boom"}} throws IllegalStateException, {@code "invalid": true} rejects its input. */
public final class Fail extends TestFunction {
    public Fail() {
        super("fail", FunctionKind.IO);
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) throws Exception {
        String message = input.path("message").asText("boom");
        if (input.path("invalid").asBoolean(false)) {
            throw new InvalidInputException(message);
        }
        throw new IllegalStateException(message);
    }
}
