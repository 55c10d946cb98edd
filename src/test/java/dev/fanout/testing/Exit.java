package dev.fanout.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.TaskContext;

/** Ends its process with {@code System.exit(code)}: only ever run it in a worker process. */
public final class Exit extends TestFunction {
    public Exit() {
        super("exit", FunctionKind.CPU);
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) {
        System.exit(input.path("code").asInt(42));
        return null;
    }
}
