package dev.fanout.execution.engine;

import dev.fanout.execution.durability.StoredView;
import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchDetails;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.execution.batch.BatchStats;
import dev.fanout.execution.batch.BatchView;
import dev.fanout.core.TaskSpec;
import dev.fanout.execution.local.LocalBackend;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.runner.TaskRunner;
import dev.fanout.spi.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.fanout.testing.Tasks.await;
import static dev.fanout.testing.Tasks.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Progress and statistics of a batch, as the engine keeps them while its results come in. */
class BatchStatsEngineTest {
    private final FunctionRegistry functions = FunctionRegistry.discover(getClass().getClassLoader(), Settings.EMPTY);
    private final Engine engine;

    BatchStatsEngineTest() {
        Backend vt = LocalBackend.virtualThreads(new TaskRunner(functions, Settings.EMPTY));
        engine = new Engine(functions, Map.of("vt", vt), "vt", (f, o) -> vt, new EngineConfig(1000,
                Duration.ofMinutes(10), 100, Duration.ofMillis(10), Duration.ofMillis(10)), EngineListener.NONE);
    }

    @AfterEach
    void close() {
        engine.close();
        functions.close();
    }

    private static BatchOptions options(Duration timeout) {
        return new BatchOptions(1000, timeout, 0, false, "vt", 0);
    }

    /** Four 200 ms sleeps, two failures, one sleep stopped by a 1 s taskTimeout. */
    private static List<TaskSpec> knownMix() {
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tasks.add(task("s" + i, "sleep", "{\"duration\": \"200ms\"}"));
        }
        tasks.add(task("f0", "fail", "{\"message\": \"boom\"}"));
        tasks.add(task("f1", "fail", "{\"message\": \"bang\"}"));
        tasks.add(task("t", "sleep", "{\"duration\": \"1h\"}"));
        return tasks;
    }

    /** Checks the statistics of {@link #knownMix()} once finished. */
    static void assertKnownMix(BatchDetails d) {
        assertEquals(7, d.progress().done());
        assertEquals(7, d.progress().total());
        assertNull(d.progress().etaSeconds(), "nothing left to estimate");
        BatchDetails.Percentiles durations = d.stats().durationMs();
        assertEquals(7, durations.count(), "every task ran to a result");
        // sorted: ~0, ~0, ~200 x4, ~1000: the median and p95 are sleeps, p99 and max the timeout
        assertTrue(durations.p50() >= 195 && durations.p50() <= 400, "p50 " + durations);
        assertTrue(durations.p95() >= 900, "p95 " + durations); // rank ceil(0.95 * 7) = 7: the timeout
        assertTrue(durations.p99() >= 900 && durations.max() >= 1000 && durations.max() < 5000, durations.toString());
        assertTrue(durations.max() >= durations.p99() && durations.p99() >= durations.p50());
        BatchDetails.Percentiles waits = d.stats().queueWaitMs();
        assertEquals(7, waits.count(), "every result came from a first attempt");
        assertTrue(waits.p95() >= 0 && waits.p95() < 5000, waits.toString());
        assertEquals(List.of("FUNCTION_ERROR", "TIMEOUT"), List.copyOf(d.stats().errors().keySet()));
        assertEquals(2, d.stats().errors().get("FUNCTION_ERROR").count());
        assertEquals(2, d.stats().errors().get("FUNCTION_ERROR").samples().size());
        assertTrue(d.stats().errors().get("FUNCTION_ERROR").samples().stream().anyMatch(m -> m.contains("boom")),
                d.stats().errors().toString());
        assertEquals(1, d.stats().errors().get("TIMEOUT").count());
    }

    @Test
    void aFinishedBatchShowsItsDurationsWaitsAndErrorsWhereverItIsRead() {
        Batch batch = engine.submit(knownMix(), options(Duration.ofSeconds(1)));
        await(batch);
        assertKnownMix(batch.details());
        assertTrue(batch.details().progress().tasksPerSecond() > 0, "seven results within the last 10 s");
        BatchView stored = engine.find(batch.id()).orElseThrow();
        assertTrue(stored instanceof StoredView, "a finished batch is read from the store");
        assertKnownMix(stored.details());
    }

    @Test
    void aRunningBatchShowsItsRateAndAnEstimateOfWhatIsLeft() {
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            tasks.add(task("q" + i, "sleep", "{\"duration\": \"1ms\"}"));
        }
        tasks.add(task("slow", "sleep", "{\"duration\": \"1h\"}"));
        Batch batch = engine.submit(tasks, options(Duration.ofHours(2)));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> batch.details().progress().done() == 10);
        BatchDetails d = batch.details();
        assertEquals(11, d.progress().total());
        assertTrue(d.progress().tasksPerSecond() > 0, d.progress().toString());
        assertNotNull(d.progress().etaSeconds(), "running with a rate above 0: " + d.progress());
        assertTrue(d.progress().etaSeconds() >= 1, d.progress().toString());
        assertEquals(10, d.stats().durationMs().count(), "the running task has no duration yet");
        assertTrue(d.stats().errors().isEmpty());
        engine.cancel(batch.id());
        BatchDetails cancelled = engine.find(batch.id()).orElseThrow().details();
        assertNull(cancelled.progress().etaSeconds());
        assertEquals(1, cancelled.stats().errors().get("CANCELLED").count());
        assertEquals(10, cancelled.stats().durationMs().count(), "a cancelled task's duration is not its own");
    }

    @Test
    void errorSamplesAreFewAndDistinct() {
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            tasks.add(task("f" + i, "fail", "{\"message\": \"m" + (i % 5) + "\"}"));
        }
        Batch batch = engine.submit(tasks, options(Duration.ofSeconds(30)));
        await(batch);
        BatchDetails.Errors errors = batch.details().stats().errors().get("FUNCTION_ERROR");
        assertEquals(20, errors.count());
        assertEquals(BatchStats.SAMPLES, errors.samples().size());
        assertEquals(BatchStats.SAMPLES, errors.samples().stream().distinct().count());
    }
}
