package dev.fanout.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.core.Json;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.TaskContext;

import java.util.TreeMap;

/** Answers the environment of the process it runs in, as a curious (or hostile) function jar could read it. */
public final class Environment extends TestFunction {
    public Environment() {
        super("environment", FunctionKind.CPU);
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) {
        ObjectNode env = Json.mapper().createObjectNode();
        new TreeMap<>(System.getenv()).forEach(env::put);
        return env;
    }
}
