package dev.fanout.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.TaskContext;

/**
 * Fails until attempt {@code succeedOnAttempt}, by throwing ({@code "mode": "throw"}) or by hanging
 * ({@code "mode": "hang"}, so that the timeout fires); then answers {@code {"attempt": n}}.
 */
public final class Flaky extends TestFunction {
    public Flaky() {
        super("flaky", FunctionKind.IO);
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) throws Exception {
        if (context.attempt() < input.path("succeedOnAttempt").asInt(2)) {
            if (input.path("mode").asText("throw").equals("hang")) {
                Thread.sleep(3_600_000);
            }
            throw new IllegalStateException("flaky failure on attempt " + context.attempt());
        }
        return Json.mapper().createObjectNode().put("attempt", context.attempt());
    }
}
