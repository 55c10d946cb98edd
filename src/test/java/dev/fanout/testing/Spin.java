package dev.fanout.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.TaskContext;

/** Burns CPU for {@code ms} milliseconds and ignores interrupts: a task only a kill (or its own end) can stop. */
public final class Spin extends TestFunction {
    public Spin() {
        super("spin", FunctionKind.CPU);
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) {
        long end = System.nanoTime() + input.path("ms").asLong(1000) * 1_000_000;
        long x = 0;
        while (System.nanoTime() < end) {
            x += System.identityHashCode(this) % 7;
        }
        return Json.mapper().createObjectNode().put("spun", x > -1);
    }
}
