package dev.fanout.execution.backend;

import dev.fanout.execution.engine.Engine;
import dev.fanout.execution.engine.EngineConfig;
import dev.fanout.execution.engine.EngineListener;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.execution.batch.BatchState;
import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.core.TaskState;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.Settings;
import dev.fanout.runner.TaskRunner;
import dev.fanout.store.Store;
import dev.fanout.store.memory.MemoryStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.fanout.testing.Tasks.await;
import static dev.fanout.testing.Tasks.defaults;
import static dev.fanout.testing.Tasks.options;
import static dev.fanout.testing.Tasks.task;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every backend owes the engine ("run these tasks"), as CPython tests every executor with one mixin.
 * A backend's test class extends this and says how to build the backend; every task of these tests is routed to it.
 */
public abstract class BackendContractTest {
    protected FunctionRegistry functions;
    protected Engine engine;
    protected Backend backend;
    protected Store store;

    /** The backend under test; it runs the functions of {@code runner}. */
    protected abstract Backend createBackend(TaskRunner runner);

    /** What its results say in {@code backend}, e.g. {@code "process:"}. */
    protected abstract String backendLabelPrefix();

    /** Tasks in the timeout race; a backend that replaces a process per timeout races fewer. */
    protected int raceSize() {
        return 300;
    }

    @BeforeEach
    void startEngine() {
        functions = FunctionRegistry.discover(getClass().getClassLoader(), Settings.EMPTY);
        backend = createBackend(new TaskRunner(functions, Settings.EMPTY));
        EngineConfig config = new EngineConfig(100_000, Duration.ofHours(1), 100, Duration.ofMillis(10),
                Duration.ofMillis(100));
        store = createStore(config);
        engine = new Engine(functions, Map.of("under-test", backend), "under-test", (f, o) -> backend, config,
                EngineListener.NONE, store);
        engine.start();
    }

    /** Where the engine keeps its batches: the memory store, unless a subclass runs the contract on another. */
    protected Store createStore(EngineConfig config) {
        return new MemoryStore(config.maxRetainedTasks(), config.maxRetainedBytes());
    }

    @AfterEach
    void stopEngine() {
        engine.close(); // closes the store too
        functions.close();
    }

    protected Batch run(List<TaskSpec> tasks, BatchOptions options) {
        return engine.submit(tasks, options);
    }

    @Test
    void runsEveryTaskOnceAndAnswersItsOutput() {
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            tasks.add(switch (i % 4) {
                case 0 -> task("p" + i, "primes", "{\"limit\": 1000}");
                case 1 -> task("q" + i, "primes", "{\"limit\": 100}");
                case 2 -> task("h" + i, "sha256", "{\"data\": \"hello\"}");
                default -> task("s" + i, "sleep", "{\"duration\": \"10ms\"}");
            });
        }
        List<TaskResult> results = await(run(tasks, defaults()));
        for (int i = 0; i < tasks.size(); i++) {
            TaskResult r = results.get(i);
            assertEquals(tasks.get(i).id(), r.id());
            assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());
            assertEquals(1, r.attempts());
            assertTrue(r.backend().startsWith(backendLabelPrefix()), r.backend());
            assertNotNull(r.startedAt());
            switch (i % 4) {
                case 0 -> assertEquals(168, r.output().get("count").asInt());
                case 1 -> assertEquals(25, r.output().get("count").asInt());
                case 2 -> assertEquals("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                        r.output().get("hex").asText());
                default -> assertTrue(r.output().get("sleptMs").asInt() >= 10, r.toString());
            }
        }
    }

    @Test
    void reportsAThrowingFunctionAsAFailedResult() {
        TaskResult r = await(run(List.of(task("a", "fail", "{\"message\": \"boom 42\"}")), defaults())).getFirst();
        assertEquals(TaskState.FAILED, r.state());
        assertEquals(ErrorType.FUNCTION_ERROR, r.error().type());
        assertTrue(r.error().message().contains("IllegalStateException: boom 42"), r.error().message());
    }

    @Test
    void doesNotRetryInvalidInput() {
        BatchOptions retrying = options(Duration.ofSeconds(30), 3, false, 10);
        TaskResult r = await(run(List.of(task("a", "fail", "{\"invalid\": true, \"message\": \"limit: bad\"}")),
                retrying)).getFirst();
        assertEquals(ErrorType.INVALID_INPUT, r.error().type());
        assertEquals("limit: bad", r.error().message());
        assertEquals(1, r.attempts());
    }

    @Test
    void killsTaskThatOutlivesItsTimeout() {
        // 2 s: the fast task's clock runs too, and on a loaded machine a worker process took over 500 ms to answer
        BatchOptions timeout = options(Duration.ofSeconds(2), 0, false, 10);
        Batch batch = run(List.of(task("slow", "sleep", "{\"duration\": \"1h\"}"),
                task("fast", "sleep", "{\"duration\": \"1ms\"}")), timeout);
        List<TaskResult> results = await(batch);
        assertEquals(ErrorType.TIMEOUT, results.get(0).error().type());
        assertTrue(results.get(0).durationMs() >= 2000, "ran for " + results.get(0).durationMs());
        assertEquals(TaskState.SUCCEEDED, results.get(1).state(), results.get(1).toString());
        assertEquals(BatchState.FAILED, batch.status().state());
    }

    @Test
    void timesOutATaskThatIgnoresInterrupts() {
        BatchOptions timeout = options(Duration.ofMillis(300), 0, false, 10);
        TaskResult r = await(run(List.of(task("busy", "spin", "{\"ms\": 3000}")), timeout)).getFirst();
        assertEquals(ErrorType.TIMEOUT, r.error().type());
    }

    @Test
    void retriesAFailingTaskUntilItSucceeds() {
        BatchOptions retrying = options(Duration.ofSeconds(30), 2, false, 10);
        TaskResult r = await(run(List.of(task("a", "flaky", "{\"succeedOnAttempt\": 3}")), retrying)).getFirst();
        assertEquals(TaskState.SUCCEEDED, r.state());
        assertEquals(3, r.attempts());
        assertEquals(3, r.output().get("attempt").asInt());
    }

    @Test
    void givesUpWhenRetriesAreSpent() {
        BatchOptions retrying = options(Duration.ofSeconds(30), 1, false, 10);
        TaskResult r = await(run(List.of(task("a", "flaky", "{\"succeedOnAttempt\": 5}")), retrying)).getFirst();
        assertEquals(ErrorType.FUNCTION_ERROR, r.error().type());
        assertEquals(2, r.attempts());
        assertTrue(r.error().message().contains("attempt 2"), r.error().message());
    }

    @Test
    void retriesATimedOutTask() {
        // the first attempt hangs until the timeout; the second must finish well inside it, also on a worker
        // process replaced just now on a loaded machine (300 ms was not enough there)
        BatchOptions retrying = options(Duration.ofMillis(1500), 1, false, 10);
        TaskResult r = await(run(List.of(task("a", "flaky", "{\"succeedOnAttempt\": 2, \"mode\": \"hang\"}")),
                retrying)).getFirst();
        assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());
        assertEquals(2, r.attempts());
    }

    @Test
    void failFastCancelsTheRestAtTheFirstFailure() {
        List<TaskSpec> tasks = new ArrayList<>();
        tasks.add(task("bad", "fail", null));
        for (int i = 0; i < 20; i++) {
            tasks.add(task("t" + i, "sleep", "{\"duration\": \"1h\"}"));
        }
        Batch batch = run(tasks, options(Duration.ofHours(2), 0, true, 5));
        List<TaskResult> results = await(batch);
        assertEquals(BatchState.FAILED, batch.status().state());
        assertEquals(1, batch.status().failed());
        assertEquals(20, batch.status().cancelled());
        results.stream().skip(1).forEach(r -> assertEquals(ErrorType.CANCELLED, r.error().type()));
    }

    @Test
    void cancelStopsRunningAndPendingTasks() {
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tasks.add(task("t" + i, "sleep", "{\"duration\": \"1h\"}"));
        }
        Batch batch = run(tasks, options(Duration.ofHours(2), 0, false, 2));
        await().atMost(Duration.ofSeconds(30)).until(() -> batch.status().running() == 2);
        engine.cancel(batch.id());
        List<TaskResult> results = await(batch);
        assertEquals(BatchState.CANCELLED, batch.status().state());
        assertEquals(6, batch.status().cancelled());
        long started = results.stream().filter(r -> r.attempts() == 1).count();
        long neverStarted = results.stream().filter(r -> r.attempts() == 0).count();
        assertEquals(2, started, results.toString());
        assertEquals(4, neverStarted);
    }

    @Test
    void givesExactlyOneResultWhenTimeoutAndCompletionRace() {
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < raceSize(); i++) {
            tasks.add(task("t" + i, "sleep", "{\"duration\": \"20ms\"}"));
        }
        Batch batch = run(tasks, options(Duration.ofMillis(20), 0, false, 100));
        List<TaskResult> results = await(batch);
        for (TaskResult r : results) {
            assertTrue(r.state() == TaskState.SUCCEEDED || r.error().type() == ErrorType.TIMEOUT, r.toString());
        }
    }
}
