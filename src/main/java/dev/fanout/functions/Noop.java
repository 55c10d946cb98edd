package dev.fanout.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.TaskContext;
import dev.fanout.spi.TaskFunction;

/** Answers its input unchanged, on a CPU backend: measures the cost of dispatch alone. */
public final class Noop implements TaskFunction {
    @Override
    public String name() {
        return "noop";
    }

    @Override
    public FunctionKind kind() {
        return FunctionKind.CPU;
    }

    @Override
    public String description() {
        return "Answers its input unchanged (a CPU task that does no work: measures per-task overhead).";
    }

    @Override
    public JsonNode example() {
        return NullNode.getInstance();
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) {
        return input;
    }
}
