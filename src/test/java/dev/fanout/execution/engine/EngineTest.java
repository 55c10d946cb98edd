package dev.fanout.execution.engine;

import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchState;
import dev.fanout.execution.batch.BatchStatus;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.execution.local.LocalBackend;
import dev.fanout.registry.FunctionRegistry;
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
        assertEquals(List.of(second.id(), first.id()), e.list(0, 10).stream().map(BatchStatus::id).toList());
        assertEquals(List.of(first.id()), e.list(1, 10).stream().map(BatchStatus::id).toList());
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
        e.expire();
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
                Duration.ofMillis(10), 100, 25, Long.MAX_VALUE));
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Batch b = e.submit(gauges(10), options(Duration.ofSeconds(30), 0, false, 10));
            await(b);
            batches.add(b);
        }
        e.expire();
        assertEquals(2, e.batchCount(), "20 tasks fit in 25, 30 do not");
        assertTrue(e.find(batches.get(3).id()).isPresent());
        assertFalse(e.find(batches.get(1).id()).isPresent());
    }

    @Test
    void keepsAtMostMaxRetainedBytesOfFinishedBatches() {
        Engine e = engine(new EngineConfig(100, Duration.ofMinutes(10), 100, Duration.ofMillis(10),
                Duration.ofMillis(10), 100, Long.MAX_VALUE, 250_000));
        String fiftyKb = "\"" + "x".repeat(50_000) + "\"";
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            // two results of 50 KB each: about 100 KB per batch, two fit in 250 KB, three do not
            Batch b = e.submit(List.of(task("a", "noop", fiftyKb), task("b", "noop", fiftyKb)),
                    options(Duration.ofSeconds(30), 0, false, 10));
            await(b);
            batches.add(b);
        }
        e.expire();
        assertEquals(2, e.batchCount(), "two batches of 100 KB fit in 250 KB");
        assertTrue(e.find(batches.get(3).id()).isPresent(), "the newest stay");
        assertFalse(e.find(batches.get(1).id()).isPresent(), "the oldest go");
    }

    @Test
    void refusesBatchesBeyondMaxRunningAndNewOnesWhileShuttingDown() {
        Engine e = engine(new EngineConfig(100, Duration.ofMinutes(10), 100, Duration.ofMillis(10),
                Duration.ofMillis(10), 1, Long.MAX_VALUE, Long.MAX_VALUE));
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

    @Test
    void aLongTaskKeepsNoFinishedAttemptAlive() {
        Engine e = engine(100_000, 100);
        List<TaskSpec> tasks = new ArrayList<>();
        tasks.add(task("long", "sleep", "{\"duration\": \"1h\"}"));
        for (int i = 0; i < 2000; i++) {
            tasks.add(task("short" + i, "sleep", "{\"duration\": \"1ms\"}"));
        }
        Batch batch = e.submit(tasks, options(Duration.ofHours(2), 0, false, 10_000));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> batch.completedCount() == 2000);
        assertEquals(1, e.runOf(batch.id()).clocksRunning(), "only the long task's clock runs");
        e.cancel(batch.id());
        await(batch);
    }

    @Test
    void reportsEachBatchFinishedExactlyOnce() {
        java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> finished =
                new java.util.concurrent.ConcurrentHashMap<>();
        Backend vt = LocalBackend.virtualThreads(new TaskRunner(functions, Settings.EMPTY));
        engine = new Engine(functions, Map.of("vt", vt), "vt", (f, o) -> vt, new EngineConfig(100_000,
                Duration.ofMinutes(10), 10_000, Duration.ofMillis(10), Duration.ofMillis(10), 10_000, Long.MAX_VALUE,
                Long.MAX_VALUE),
                new EngineListener() {
                    @Override
                    public void taskFinished(Batch batch, TaskResult result) {
                        Thread.yield(); // a listener takes a moment (metrics do): the other finisher catches up
                    }

                    @Override
                    public void batchFinished(Batch batch) {
                        finished.computeIfAbsent(batch.id(), k -> new java.util.concurrent.atomic.AtomicInteger())
                                .incrementAndGet();
                    }
                });
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            // the last two tasks of each batch end together: both finishers see the batch finished
            batches.add(engine.submit(List.of(task("a", "noop", "1"), task("b", "noop", "2")),
                    options(Duration.ofSeconds(30), 0, false, 10)));
        }
        batches.forEach(dev.fanout.testing.Tasks::await);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> finished.size() == 3000);
        finished.forEach((id, count) -> assertEquals(1, count.get(), "batch " + id + " reported finished "
                + count.get() + " times"));
    }

    @Test
    void aBatchAcceptedWhileShuttingDownIsNeverLeftRunning() throws Exception {
        for (int round = 0; round < 100; round++) {
            Engine e = engine(100, 100);
            List<Batch> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread submitter = Thread.ofPlatform().start(() -> {
                try {
                    while (true) {
                        accepted.add(e.submit(List.of(task("x", "sleep", "{\"duration\": \"1h\"}")),
                                options(Duration.ofHours(2), 0, false, 10)));
                    }
                } catch (ShuttingDownException | TooManyBatchesException refused) {
                    // refused from here on: fine
                }
            });
            while (accepted.size() < 3) {
                Thread.onSpinWait();
            }
            e.shutdown(Duration.ZERO);
            submitter.join();
            for (Batch b : accepted) {
                assertTrue(b.isFinished(), "round " + round + ": a batch accepted during shutdown still runs after it");
            }
            e.close();
        }
    }
}
