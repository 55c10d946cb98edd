package dev.fanout.execution.lambda;

import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.core.TaskState;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.execution.batch.BatchState;
import dev.fanout.execution.engine.Engine;
import dev.fanout.execution.engine.EngineConfig;
import dev.fanout.execution.engine.EngineListener;
import dev.fanout.protocol.Protocol;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.Settings;
import dev.fanout.testing.lambda.Emulators;
import dev.fanout.testing.lambda.LambdaEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.fanout.testing.Tasks.await;
import static dev.fanout.testing.Tasks.task;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What only a remote, throttled, size-limited backend can get wrong, through the real SDK and the real worker. */
class LambdaFaultsTest {
    private final FunctionRegistry functions = FunctionRegistry.discover(getClass().getClassLoader(), Settings.EMPTY);
    private final List<AutoCloseable> open = new ArrayList<>();

    private LambdaEmulator emulator(LambdaEmulator.Config config) {
        LambdaEmulator e = Emulators.start(config);
        open.add(e);
        return e;
    }

    private Engine engine(LambdaBackend backend) {
        return engine(backend, EngineListener.NONE);
    }

    private Engine engine(LambdaBackend backend, EngineListener listener) {
        Engine e = new Engine(functions, Map.of("lambda", backend), "lambda", (f, o) -> backend,
                new EngineConfig(10_000, Duration.ofHours(1), 100, Duration.ofMillis(10), Duration.ofMillis(100)),
                listener);
        open.add(0, e);
        return e;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        functions.close();
    }

    private static BatchOptions options(Duration timeout, int chunkSize) {
        return options(timeout, 0, chunkSize);
    }

    private static BatchOptions options(Duration timeout, int retries, int chunkSize) {
        return new BatchOptions(10_000, timeout, retries, false, "lambda", chunkSize);
    }

    private static List<TaskSpec> primes(int n) {
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tasks.add(task("p" + i, "primes", "{\"limit\": " + (1000 + i) + "}"));
        }
        return tasks;
    }

    @Test
    void runsEveryTaskAndBacksOffWhenMaxConcurrencyExceedsTheReservedConcurrency() {
        LambdaEmulator emulator = emulator(Emulators.worker().withReservedConcurrency(2));
        LambdaBackend backend = Emulators.backend(emulator, 16);
        List<TaskResult> results = await(engine(backend).submit(primes(200), options(Duration.ofSeconds(30), 1)));
        for (TaskResult r : results) {
            assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());
            assertTrue(r.backend().matches("lambda:[0-9a-f-]{36}"), r.backend());
            assertEquals(1, r.attempts(), "a throttled invocation never started: " + r);
        }
        assertEquals(168, results.getFirst().output().get("count").asInt());
        // what the backend does about it (Lambda itself never runs more than 2): it learns the reserved concurrency,
        // and sends far less than a backend that kept 16 in flight (about 4 throttles per invocation run)
        int ran = emulator.stats().invocations.get();
        long throttled = backend.throttles.get();
        assertEquals(emulator.stats().throttled.get(), throttled);
        assertTrue(throttled > 0, "16 invocations at once against 2 reserved are throttled");
        assertTrue(throttled < ran, throttled + " invocations throttled for " + ran + " run");
        assertTrue(backend.concurrencyLimit() <= 2 * 2 + 1, "the limit follows the 2 reserved: "
                + backend.concurrencyLimit());
    }

    @Test
    void aTaskThatOutlivesTheFunctionTimeoutIsTimeoutAndTheOthersAreNot() {
        LambdaEmulator emulator = emulator(Emulators.worker().withTimeout(Duration.ofSeconds(4)));
        Batch batch = engine(Emulators.backend(emulator, 4)).submit(List.of(
                task("busy", "spin", "{\"ms\": 8000}"), task("quick", "primes", "{\"limit\": 100}")),
                options(Duration.ofMinutes(1), 2));
        List<TaskResult> results = await(batch);
        assertEquals(ErrorType.TIMEOUT, results.get(0).error().type());
        assertTrue(results.get(0).error().message().contains("ran out of time"), results.get(0).error().message());
        assertEquals(25, results.get(1).output().get("count").asInt());
    }

    @Test
    void aSandboxTimeoutIsBlamedOnEachTaskOfTheChunkOnce() {
        // a stand-in worker of the tests' own (on the java21 runtime) that never answers
        LambdaEmulator emulator = emulator(Emulators.function(Emulators.FUNCTION,
                "dev.fanout.testing.lambda.StallHandler::handleRequest").withTimeout(Duration.ofSeconds(1)));
        List<TaskResult> results = await(engine(Emulators.backend(emulator, 4)).submit(primes(2),
                options(Duration.ofMinutes(1), 2)));
        for (TaskResult r : results) {
            assertEquals(ErrorType.TIMEOUT, r.error().type());
            assertTrue(r.error().message().contains("Sandbox.Timedout"), r.error().message());
            assertEquals(1, r.attempts());
            assertEquals(1, emulator.stats().deliveries(r.id()), r.id() + " ran once (no retries)");
        }
    }

    @Test
    void aTaskExitingWithTheRecycleStatusIsACrashNotARetirement() {
        LambdaEmulator emulator = emulator(Emulators.worker());
        TaskResult r = await(engine(Emulators.backend(emulator, 1)).submit(List.of(task("exits", "exit",
                "{\"code\": 75}")), options(Duration.ofMinutes(1), 1))).getFirst();
        assertEquals(ErrorType.WORKER_CRASHED, r.error().type(), r.toString());
        assertTrue(r.error().message().contains("exit status 75"), r.error().message());
        assertEquals(1, emulator.stats().deliveries("exits"));
    }

    @Test
    void aSandboxLeftWithARunawayTaskRetiresWithoutCostingTheNextChunkAnAttempt() {
        LambdaEmulator emulator = emulator(Emulators.worker().withReservedConcurrency(1));
        Engine engine = engine(Emulators.backend(emulator, 1));
        // spin ignores its interrupt: it outlives its taskTimeout and keeps the sandbox's CPU
        TaskResult runaway = await(engine.submit(List.of(task("runaway", "spin", "{\"ms\": 20000}")),
                options(Duration.ofSeconds(1), 1))).getFirst();
        assertEquals(ErrorType.TIMEOUT, runaway.error().type(), runaway.toString());
        TaskResult next = await(engine.submit(primes(1), options(Duration.ofMinutes(1), 1))).getFirst();
        assertEquals(TaskState.SUCCEEDED, next.state(), next.toString());
        assertEquals(1, next.attempts());
        assertEquals(2, emulator.stats().sandboxesStarted.get(), "the sandbox retired, a fresh one ran the chunk");
    }

    @Test
    void aCrashCostsEachTaskOfItsChunkAnAttemptAndItsRetriesGoAlone() {
        LambdaEmulator emulator = emulator(Emulators.worker());
        Engine engine = engine(Emulators.backend(emulator, 1));
        // the one invocation allowed is busy while the four tasks are queued: they go out as one chunk
        Batch busy = engine.submit(List.of(task("busy", "sleep", "{\"duration\": \"1s\"}")),
                options(Duration.ofMinutes(1), 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> emulator.stats().invocations.get() == 1);
        List<TaskSpec> tasks = new ArrayList<>(primes(3));
        tasks.add(1, task("crash", "exit", "{\"code\": 42}"));
        List<TaskResult> results = await(engine.submit(tasks, options(Duration.ofMinutes(1), 1, 4)));
        await(busy);
        assertEquals(ErrorType.WORKER_CRASHED, results.get(1).error().type());
        assertTrue(results.get(1).error().message().contains("Runtime.ExitError"), results.get(1).error().message());
        assertTrue(results.get(1).error().message().contains("exit status 42"), results.get(1).error().message());
        for (int i : new int[]{0, 2, 3}) {
            assertEquals(TaskState.SUCCEEDED, results.get(i).state(), results.get(i).toString());
        }
        for (TaskResult r : results) {
            // the crashed invocation ran every task of its chunk: each says so, and ran exactly that often
            assertEquals(2, r.attempts(), r.toString());
            assertEquals(r.attempts(), emulator.stats().deliveries(r.id()), r.id());
        }
    }

    @Test
    void aTaskTooBigForAnyInvocationIsInvalidInput() {
        LambdaEmulator emulator = emulator(Emulators.worker());
        String big = "x".repeat(7_000_000);
        List<TaskResult> results = await(engine(Emulators.backend(emulator, 4)).submit(List.of(
                task("big", "sha256", "{\"data\": \"" + big + "\"}"), task("small", "primes", "{\"limit\": 10}")),
                options(Duration.ofMinutes(1), 0)));
        assertEquals(ErrorType.INVALID_INPUT, results.get(0).error().type());
        assertTrue(results.get(0).error().message().contains("one invocation takes at most 6000000 bytes"),
                results.get(0).error().message());
        assertEquals(4, results.get(1).output().get("count").asInt());
    }

    @Test
    void chunksAreCutAtThePayloadLimit() {
        LambdaEmulator emulator = emulator(Emulators.worker());
        String megabyte = "y".repeat(1_000_000);
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            tasks.add(task("mb" + i, "sha256", "{\"data\": \"" + megabyte + "\"}"));
        }
        List<TaskResult> results = await(engine(Emulators.backend(emulator, 4)).submit(tasks,
                options(Duration.ofMinutes(1), 12)));
        results.forEach(r -> assertEquals(TaskState.SUCCEEDED, r.state(), r.toString()));
        assertTrue(emulator.stats().invocations.get() >= 3, "12 MB need at least 3 invocations of 6 MB");
    }

    @Test
    void cancellingStopsDispatchAndDropsLateResults() {
        LambdaEmulator emulator = emulator(Emulators.worker().withTimeout(Duration.ofSeconds(5)));
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            tasks.add(task("s" + i, "sleep", "{\"duration\": \"2s\"}"));
        }
        LambdaBackend backend = Emulators.backend(emulator, 2);
        Engine engine = engine(backend);
        // all 20 are handed to the backend at once: 2 go out, 18 wait in its queue
        Batch batch = engine.submit(tasks, new BatchOptions(20, Duration.ofMinutes(1), 0, false, "lambda", 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> emulator.stats().invocations.get() == 2);
        engine.cancel(batch.id());
        await(batch).forEach(r -> assertEquals(TaskState.CANCELLED, r.state()));
        assertEquals(BatchState.CANCELLED, batch.status().state());
        // the two invocations finish in Lambda and their answers come back; then the backend has nothing left
        await().atMost(Duration.ofSeconds(30)).until(() -> backend.details().get("inFlight").equals(0)
                && backend.details().get("queued").equals(0L));
        assertEquals(2, emulator.stats().invocations.get(), "no cancelled task was sent");
        for (TaskResult r : batch.resultsInInputOrder()) { // read again, after the late answers
            assertEquals(TaskState.CANCELLED, r.state(), "a late answer is dropped: " + r);
        }
    }

    @Test
    void aWorkerOfAnotherProtocolFailsEachTaskOnceWithBackendError() {
        // a stand-in worker of the tests' own (on the java21 runtime) that speaks an older protocol
        LambdaEmulator emulator = emulator(Emulators.function(Emulators.FUNCTION,
                "dev.fanout.testing.lambda.OlderProtocolHandler::handleRequest"));
        List<TaskResult> results = await(engine(Emulators.backend(emulator, 4)).submit(primes(4),
                options(Duration.ofMinutes(1), 4)));
        for (TaskResult r : results) {
            assertEquals(ErrorType.BACKEND_ERROR, r.error().type(), r.toString());
            assertTrue(r.error().message().contains("protocol 1"), r.error().message());
            assertTrue(r.error().message().contains("protocol " + Protocol.VERSION), r.error().message());
        }
        for (TaskResult r : results) {
            assertEquals(1, emulator.stats().deliveries(r.id()), r.id() + " was neither split off nor sent again");
        }
    }

    @Test
    void anUnknownFunctionFailsTheTasksWithBackendError() {
        LambdaEmulator emulator = emulator(Emulators.worker());
        TaskResult r = await(engine(Emulators.backend(emulator, "no-such-function", 4)).submit(primes(1),
                options(Duration.ofMinutes(1), 0))).getFirst();
        assertEquals(ErrorType.BACKEND_ERROR, r.error().type());
        assertTrue(r.error().message().contains("'no-such-function' does not exist"), r.error().message());
    }

    @Test
    void serviceErrorsCountAsAttemptsAndAreRetriedWithinRetries() {
        LambdaEmulator emulator = emulator(Emulators.worker());
        emulator.failNextWithServiceErrors(3);
        List<TaskResult> results = await(engine(Emulators.backend(emulator, 1)).submit(primes(3),
                options(Duration.ofMinutes(1), 3, 3)));
        results.forEach(r -> assertEquals(TaskState.SUCCEEDED, r.state(), r.toString()));
        assertEquals(3, emulator.stats().serviceErrors.get());
        // a 500 may come after the function ran: the tasks it hit say so in their attempts
        assertTrue(results.stream().anyMatch(r -> r.attempts() > 1), results.toString());
        results.forEach(r -> assertTrue(r.attempts() <= 4, r.toString()));
    }

    @Test
    void everyServiceErrorCostsItsTaskOneAttempt() {
        LambdaEmulator emulator = emulator(Emulators.worker());
        emulator.failNextWithServiceErrors(40);
        List<TaskResult> retried = new CopyOnWriteArrayList<>();
        Engine engine = engine(Emulators.backend(emulator, 4), new EngineListener() {
            @Override
            public void taskRetried(Batch batch, TaskResult failedAttempt) {
                retried.add(failedAttempt);
            }
        });
        List<TaskResult> results = await(engine.submit(primes(20), options(Duration.ofMinutes(1), 40, 1)));
        results.forEach(r -> assertEquals(TaskState.SUCCEEDED, r.state(), r.toString()));
        assertEquals(40, emulator.stats().serviceErrors.get());
        assertEquals(40, retried.stream().filter(r -> r.error().message().contains("500 ServiceException")).count(),
                "one failed attempt per 500: " + retried);
        assertEquals(20 + retried.size(), results.stream().mapToInt(TaskResult::attempts).sum(),
                "every failed attempt shows in its task's result");
    }

    @Test
    void aConnectionLostAfterTheInvocationRanCountsAsAnAttempt() {
        LambdaEmulator emulator = emulator(Emulators.worker());
        Engine engine = engine(Emulators.backend(emulator, 1));
        emulator.loseNextAnswers(1);
        TaskResult lost = await(engine.submit(List.of(task("lost", "primes", "{\"limit\": 100}")),
                options(Duration.ofMinutes(1), 0, 1))).getFirst();
        assertEquals(TaskState.FAILED, lost.state(), lost.toString());
        assertEquals(ErrorType.BACKEND_ERROR, lost.error().type());
        assertTrue(lost.error().message().contains("may have run"), lost.error().message());
        assertEquals(1, lost.attempts());
        assertEquals(1, emulator.stats().deliveries("lost"), "it ran once, and never behind its result's back");

        emulator.loseNextAnswers(1);
        TaskResult retried = await(engine.submit(List.of(task("retried", "primes", "{\"limit\": 100}")),
                options(Duration.ofMinutes(1), 1, 1))).getFirst();
        assertEquals(TaskState.SUCCEEDED, retried.state(), retried.toString());
        assertEquals(2, retried.attempts());
        assertEquals(2, emulator.stats().deliveries("retried"));
    }
}
