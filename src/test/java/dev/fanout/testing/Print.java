package dev.fanout.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.TaskContext;

/** Prints to System.out, as careless functions do. */
public final class Print extends TestFunction {
    public Print() {
        super("print", FunctionKind.CPU);
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) {
        System.out.println(input.path("text").asText());
        System.out.flush();
        return NullNode.getInstance();
    }
}
