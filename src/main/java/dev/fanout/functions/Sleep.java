package dev.fanout.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.Inputs;
import dev.fanout.spi.TaskContext;
import dev.fanout.spi.TaskFunction;

import java.time.Duration;
import java.util.Set;

/** Waits for a duration: the reference IO task. On a virtual thread it costs no OS thread while it waits. */
public final class Sleep implements TaskFunction {
    static final Duration MAX = Duration.ofHours(1);
    private static final Set<String> FIELDS = Set.of("duration");

    @Override
    public String name() {
        return "sleep";
    }

    @Override
    public FunctionKind kind() {
        return FunctionKind.IO;
    }

    @Override
    public String description() {
        return "Waits for input.duration (250ms, 30s, 5m, PT1S; at most 1h) and answers {\"sleptMs\": n}.";
    }

    @Override
    public JsonNode example() {
        return Json.mapper().createObjectNode().put("duration", "100ms");
    }

    @Override
    public void validate(JsonNode input) throws InvalidInputException {
        duration(input);
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) throws Exception {
        Duration d = duration(input);
        long start = System.nanoTime();
        Thread.sleep(d);
        // measured, not the request echoed: a test or a benchmark built on it must see what really happened
        return Json.mapper().createObjectNode().put("sleptMs", (System.nanoTime() - start) / 1_000_000);
    }

    private static Duration duration(JsonNode input) throws InvalidInputException {
        return Inputs.duration(Inputs.object(input, FIELDS), "duration", MAX, null);
    }
}
