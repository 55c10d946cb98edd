package dev.fanout.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.TaskContext;

import java.util.ArrayList;
import java.util.List;

/** Allocates until the heap is exhausted: only ever run it in a worker process. */
public final class Hog extends TestFunction {
    public Hog() {
        super("hog", FunctionKind.CPU);
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) {
        List<long[]> hoard = new ArrayList<>();
        while (true) {
            hoard.add(new long[1 << 20]);
        }
    }
}
