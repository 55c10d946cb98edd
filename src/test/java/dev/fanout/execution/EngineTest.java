package dev.fanout.execution;

import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.execution.local.LocalBackend;
import dev.fanout.spi.FunctionRegistry;
import dev.fanout.spi.Settings;
import dev.fanout.testing.Gauge;
import dev.fanout.runner.TaskRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.fanout.testing.Tasks.await;
import static dev.fanout.testing.Tasks.options;
import static dev.fanout.testing.Tasks.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the engine adds on top of a backend: the server-wide IO bound, retention, listing, streaming order. */
class EngineTest {
    private final FunctionRegistry functions = FunctionRegistry.discover(getClass().getClassLoader(), Settings.EMPTY);
    private Engine engine;

    private Engine engine(int ioMaxConcurrency, int maxRetained) {
        return engine(new EngineConfig(ioMaxConcurrency, Duration.ofMinutes(10), maxRetained, Duration.ofMillis(10),
                Duration.ofMillis(10)));
    }

    private Engine engine(EngineConfig config) {
        Backend vt = LocalBackend.virtualThreads(new TaskRunner(functions, Settings.EMPTY));
        engine = new Engine(functions, Map.of("vt", vt), "vt", (f, o) -> vt, config, EngineListener.NONE);
        return engine;
    }

    @AfterEach
    void close() {
        engine.close();
        functions.close();
    }

    private static List<TaskSpec> gauges(int n) {
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tasks.add(task("g" + i, "gauge", "{\"ms\": 5}"));
        }
        return tasks;
    }

    @Test
    void boundsIoTasksAcrossBatches() {
        Gauge.reset();
        Engine e = engine(5, 100);
        Batch a = e.submit(gauges(100), options(Duration.ofSeconds(30), 0, false, 100));
        Batch b = e.submit(gauges(100), options(Duration.ofSeconds(30), 0, false, 100));
        await(a);
        await(b);
        assertTrue(Gauge.MAX.get() <= 5, "in flight across batches: " + Gauge.MAX.get());
    }

    @Test
    void listsBatchesNewestFirst() {
        Engine e = engine(100, 100);
        Batch first = e.submit(gauges(1), options(Duration.ofSeconds(30), 0, false, 10));
        Batch second = e.submit(gauges(1), options(Duration.ofSeconds(30), 0, false, 10));
        assertEquals(List.of(second.id(), first.id()), e.list(0, 10).stream().map(Batch::id).toList());
        assertEquals(List.of(first.id()), e.list(1, 10).stream().map(Batch::id).toList());
        await(first);
        await(second);
    }

    @Test
    void forgetsFinishedBatchesAfterTheRetentionButNeverRunningOnes() {
        Engine e = engine(100, 100);
        Batch done = e.submit(gauges(1), options(Duration.ofSeconds(30), 0, false, 10));
        await(done);
        Batch running = e.submit(List.of(task("x", "sleep", "{\"duration\": \"1h\"}")),
                options(Duration.ofHours(2), 0, false, 10));
        e.expire(Instant.now().plus(Duration.ofMinutes(11)));
        assertFalse(e.find(done.id()).isPresent());
        assertTrue(e.find(running.id()).isPresent());
        e.cancel(running.id());
        await(running);
    }

    @Test
    void keepsAtMostMaxRetainedFinishedBatches() {
        Engine e = engine(100, 2);
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Batch b = e.submit(gauges(1), options(Duration.ofSeconds(30), 0, false, 10));
            await(b);
            batches.add(b);
        }
        e.expire(Instant.now());
        assertEquals(2, e.batchCount());
        assertTrue(e.find(batches.get(3).id()).isPresent(), "the newest stay");
        assertFalse(e.find(batches.get(0).id()).isPresent(), "the oldest go");
    }

    @Test
    void logsResultsInCompletionOrder() {
        Engine e = engine(100, 100);
        Batch batch = e.submit(List.of(task("slow", "sleep", "{\"duration\": \"300ms\"}"),
                task("fast", "sleep", "{\"duration\": \"1ms\"}")), options(Duration.ofSeconds(30), 0, false, 10));
        await(batch);
        assertEquals("fast", batch.completedAt(0).id());
        assertEquals("slow", batch.completedAt(1).id());
        assertEquals("slow", batch.result(0).id());
    }

    @Test
    void keepsAtMostMaxRetainedTasksOfFinishedBatches() {
        Engine e = engine(new EngineConfig(100, Duration.ofMinutes(10), 100, Duration.ofMillis(10),
                Duration.ofMillis(10), 100, 25));
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Batch b = e.submit(gauges(10), options(Duration.ofSeconds(30), 0, false, 10));
            await(b);
            batches.add(b);
        }
        e.expire(Instant.now());
        assertEquals(2, e.batchCount(), "20 tasks fit in 25, 30 do not");
        assertTrue(e.find(batches.get(3).id()).isPresent());
        assertFalse(e.find(batches.get(1).id()).isPresent());
    }

    @Test
    void refusesBatchesBeyondMaxRunningAndNewOnesWhileShuttingDown() {
        Engine e = engine(new EngineConfig(100, Duration.ofMinutes(10), 100, Duration.ofMillis(10),
                Duration.ofMillis(10), 1, Long.MAX_VALUE));
        Batch running = e.submit(List.of(task("x", "sleep", "{\"duration\": \"1h\"}")),
                options(Duration.ofHours(2), 0, false, 10));
        assertThrows(TooManyBatchesException.class, () -> e.submit(gauges(1), options(Duration.ofSeconds(30), 0,
                false, 10)));
        assertEquals(1, e.shutdown(Duration.ofMillis(100)), "the running batch is cancelled after the grace");
        List<TaskResult> results = await(running);
        assertTrue(results.getFirst().error().message().contains("shut down"), results.toString());
        assertThrows(ShuttingDownException.class, () -> e.submit(gauges(1), options(Duration.ofSeconds(30), 0,
                false, 10)));
    }

    @Test
    void letsBatchesFinishWithinTheGracePeriod() {
        Engine e = engine(100, 100);
        Batch quick = e.submit(gauges(3), options(Duration.ofSeconds(30), 0, false, 10));
        assertEquals(0, e.shutdown(Duration.ofSeconds(30)));
        await(quick);
        assertEquals(BatchState.SUCCEEDED, quick.status().state());
    }
}
