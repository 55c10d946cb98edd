package dev.fanout.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.TaskContext;

/**
 * A CPU-kind task that sleeps {@code ms} milliseconds (or {@code us} microseconds) and answers to interrupts: it runs
 * on the CPU threads of a chunk, where a stray interrupt meant for another task would end it early.
 */
public final class Nap extends TestFunction {
    public Nap() {
        super("nap", FunctionKind.CPU);
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) throws InterruptedException {
        long nanos = input.has("us") ? input.get("us").asLong() * 1000 : input.path("ms").asLong(10) * 1_000_000;
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        return Json.mapper().createObjectNode().put("napped", true);
    }
}
