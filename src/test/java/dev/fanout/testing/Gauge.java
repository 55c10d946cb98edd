package dev.fanout.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.TaskContext;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures how many tasks run at once in this JVM (only meaningful for in-process backends): each call holds a slot
 * for {@code ms} milliseconds. Counts interrupts too, to observe cancellation.
 */
public final class Gauge extends TestFunction {
    public static final AtomicInteger CURRENT = new AtomicInteger();
    public static final AtomicInteger MAX = new AtomicInteger();
    public static final AtomicInteger INTERRUPTED = new AtomicInteger();

    public Gauge() {
        super("gauge", FunctionKind.IO);
    }

    public static void reset() {
        CURRENT.set(0);
        MAX.set(0);
        INTERRUPTED.set(0);
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) throws InterruptedException {
        int now = CURRENT.incrementAndGet();
        MAX.accumulateAndGet(now, Math::max);
        try {
            Thread.sleep(input.path("ms").asLong(20));
            return NullNode.getInstance();
        } catch (InterruptedException e) {
            INTERRUPTED.incrementAndGet();
            throw e;
        } finally {
            CURRENT.decrementAndGet();
        }
    }
}
