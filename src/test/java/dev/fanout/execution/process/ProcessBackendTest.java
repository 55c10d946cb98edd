package dev.fanout.execution.process;

import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.core.TaskState;
import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.engine.BackendUnavailableException;
import dev.fanout.worker.process.WorkerCommand;
import dev.fanout.execution.backend.BackendContractTest;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.execution.batch.BatchState;
import dev.fanout.execution.engine.Engine;
import dev.fanout.execution.engine.EngineConfig;
import dev.fanout.execution.engine.EngineListener;
import dev.fanout.runner.TaskRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.fanout.testing.Tasks.await;
import static dev.fanout.testing.Tasks.options;
import static dev.fanout.testing.Tasks.task;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract, plus what only a pool of OS processes can get wrong. */
class ProcessBackendTest extends BackendContractTest {
    private final List<AutoCloseable> extra = new ArrayList<>();

    static ProcessPoolConfig pool(int workers, int maxTasksPerWorker, String... jvmOptions) {
        List<String> options = new ArrayList<>(List.of("-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError"));
        options.addAll(List.of(jvmOptions));
        return new ProcessPoolConfig(workers, WorkerCommand.detect(options), maxTasksPerWorker, Duration.ofSeconds(30),
                Duration.ofSeconds(30), Map.of());
    }

    @Override
    protected Backend createBackend(TaskRunner runner) {
        return new ProcessBackend(pool(2, 0));
    }

    @Override
    protected String backendLabelPrefix() {
        return "process:";
    }

    @Override
    protected int raceSize() {
        return 20; // each lost race costs a worker restart
    }

    /** An engine over a pool of its own, closed after the test. */
    private Engine engineWith(ProcessBackend pool) {
        Engine e = new Engine(functions, Map.of("p", pool), "p", (f, o) -> pool,
                new EngineConfig(1000, Duration.ofHours(1), 100, Duration.ofMillis(10), Duration.ofMillis(100)),
                EngineListener.NONE);
        extra.add(e);
        return e;
    }

    @AfterEach
    void closeExtra() throws Exception {
        for (AutoCloseable c : extra) {
            c.close();
        }
    }

    private static BatchOptions chunked(int chunkSize) {
        return new BatchOptions(1000, Duration.ofSeconds(60), 0, false, "p", chunkSize);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void aWorkerKilledMidTaskCostsOnlyThatTask() {
        ProcessBackend pool = new ProcessBackend(pool(1, 0));
        Engine e = engineWith(pool);
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.details().get("starting").equals(0L));
        long victim = pool.pids().getFirst();
        List<TaskSpec> tasks = new ArrayList<>();
        tasks.add(task("long", "sleep", "{\"duration\": \"1h\"}"));
        for (int i = 0; i < 5; i++) {
            tasks.add(task("after" + i, "primes", "{\"limit\": 1000}"));
        }
        Batch batch = e.submit(tasks, chunked(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> batch.status().running() == 1);
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
        List<TaskResult> results = await(batch);
        TaskResult crashed = results.getFirst();
        assertEquals(ErrorType.WORKER_CRASHED, crashed.error().type());
        assertTrue(crashed.error().message().contains("worker process " + victim + " exited with code 137 (SIGKILL)"),
                crashed.error().message());
        assertEquals("process:" + victim, crashed.backend());
        results.stream().skip(1).forEach(r -> {
            assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());
            assertNotEquals("process:" + victim, r.backend(), "ran on the replacement");
        });
        assertEquals(1, pool.stats().crashes.get());
    }

    @Test
    void aTaskLoopingForeverIsStoppedByKillingItsWorker() {
        ProcessBackend pool = new ProcessBackend(pool(1, 0));
        Engine e = engineWith(pool);
        Batch batch = e.submit(List.of(task("loop", "spin", "{\"ms\": 600000}"), task("next", "noop", "{}")),
                new BatchOptions(10, Duration.ofSeconds(1), 0, false, "p", 1));
        List<TaskResult> results = await(batch);
        assertEquals(ErrorType.TIMEOUT, results.get(0).error().type());
        long looper = Long.parseLong(results.get(0).backend().substring("process:".length()));
        await().atMost(Duration.ofSeconds(30)).until(() -> !alive(looper));
        assertEquals(TaskState.SUCCEEDED, results.get(1).state());
    }

    @Test
    void aFunctionCallingSystemExitCrashesOnlyItsTask() {
        Batch batch = run(List.of(task("exit", "exit", "{\"code\": 42}"), task("fine", "primes", "{\"limit\": 100}")),
                options(Duration.ofSeconds(30), 0, false, 10));
        List<TaskResult> results = await(batch);
        assertEquals(ErrorType.WORKER_CRASHED, results.get(0).error().type());
        assertTrue(results.get(0).error().message().contains("exited with code 42"), results.get(0).error().message());
        assertEquals(25, results.get(1).output().get("count").asInt());
    }

    @Test
    void aPoisonedTaskInAChunkDoesNotLoseTheRestOfTheChunk() {
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            tasks.add(i == 4 ? task("poison", "exit", "{\"code\": 3}") : task("t" + i, "primes", "{\"limit\": 1000}"));
        }
        List<TaskResult> results = await(run(tasks, new BatchOptions(10, Duration.ofSeconds(30), 0, false, "x", 10)));
        for (int i = 0; i < 10; i++) {
            if (i == 4) {
                assertEquals(ErrorType.WORKER_CRASHED, results.get(i).error().type());
            } else {
                assertEquals(168, results.get(i).output().get("count").asInt(), results.get(i).toString());
            }
        }
    }

    @Test
    void aWorkerOutOfMemoryCrashesOnlyItsTask() {
        ProcessBackend pool = new ProcessBackend(pool(1, 0, "-Xmx64m"));
        Engine e = engineWith(pool);
        List<TaskResult> results = await(e.submit(List.of(task("hog", "hog", null), task("ok", "noop", "1")),
                chunked(0)));
        assertEquals(ErrorType.WORKER_CRASHED, results.get(0).error().type());
        assertTrue(results.get(0).error().message().contains("OutOfMemoryError"), results.get(0).error().message());
        assertEquals(1, results.get(1).output().asInt());
    }

    @Test
    void cancellingABatchKillsTheWorkersRunningIt() {
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tasks.add(task("spin" + i, "spin", "{\"ms\": 600000}"));
        }
        ProcessBackend pool = (ProcessBackend) backend;
        Batch batch = run(tasks, options(Duration.ofHours(1), 0, false, 10));
        await().atMost(Duration.ofSeconds(30)).until(() -> batch.status().running() == 2);
        List<Long> busy = pool.pids();
        engine.cancel(batch.id());
        List<TaskResult> results = await(batch);
        results.forEach(r -> assertEquals(TaskState.CANCELLED, r.state()));
        await().atMost(Duration.ofSeconds(30)).until(() -> busy.stream().noneMatch(ProcessBackendTest::alive));
        TaskResult after = await(run(List.of(task("x", "primes", "{\"limit\": 10}")),
                options(Duration.ofSeconds(30), 0, false, 10))).getFirst();
        assertEquals(4, after.output().get("count").asInt(), "the pool healed");
    }

    @Test
    void resultsComeBackTaskByTaskNotChunkByChunk() {
        Batch batch = run(List.of(task("quick", "noop", "1"), task("slow", "sleep", "{\"duration\": \"1h\"}")),
                new BatchOptions(10, Duration.ofHours(2), 0, false, "x", 2));
        await().atMost(Duration.ofSeconds(30)).until(() -> batch.completedCount() == 1);
        assertEquals("quick", batch.completedAt(0).id());
        engine.cancel(batch.id());
        await(batch);
    }

    @Test
    void recyclesWorkersAfterMaxTasksPerWorker() {
        ProcessBackend pool = new ProcessBackend(pool(1, 3));
        Engine e = engineWith(pool);
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            tasks.add(task("t" + i, "noop", String.valueOf(i)));
        }
        List<TaskResult> results = await(e.submit(tasks, chunked(0)));
        Set<String> workers = new HashSet<>();
        results.forEach(r -> workers.add(r.backend()));
        assertEquals(3, workers.size(), "three workers of three tasks each: " + workers);
        assertEquals(0, pool.stats().crashes.get(), "retiring is not crashing");
    }

    @Test
    void aWorkerGetsTheEnvironmentItIsGivenAndNothingOfTheService() {
        Map<String, String> given = Map.of("PATH", "/usr/bin:/bin", "FANOUT_FUNCTIONS_GREETING", "hello");
        ProcessPoolConfig base = pool(1, 0);
        ProcessBackend pool = new ProcessBackend(new ProcessPoolConfig(1, base.command(), 0, base.startTimeout(),
                base.restartBackoff(), given));
        TaskResult result = await(engineWith(pool).submit(List.of(task("t", "environment", "{}")), chunked(0)))
                .getFirst();
        assertEquals(TaskState.SUCCEEDED, result.state(), result.toString());
        Set<String> names = new HashSet<>();
        result.output().fieldNames().forEachRemaining(names::add);
        // the test JVM's own variables (JAVA_HOME, HOME, MAVEN_*...) would be here if workers inherited them
        assertEquals(given.keySet(), names, "the worker's environment: " + result.output());
        assertEquals("hello", result.output().get("FANOUT_FUNCTIONS_GREETING").asText());
    }

    @Test
    void chunksShortTasksAutomatically() {
        ProcessBackend pool = (ProcessBackend) backend;
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            tasks.add(task("t" + i, "noop", String.valueOf(i)));
        }
        List<TaskResult> results = await(run(tasks, options(Duration.ofSeconds(60), 0, false, 10_000)));
        for (int i = 0; i < 5000; i++) {
            assertEquals(i, results.get(i).output().asInt());
        }
        assertTrue(pool.stats().chunks.get() < 1000, "tasks per chunk: " + 5000.0 / pool.stats().chunks.get());
    }

    @Test
    void realWorkersRunChunksCutToASmallFrameLimit() {
        ProcessBackend pool = new ProcessBackend(pool(1, 0).withMaxFrameBytes(4096));
        Engine e = engineWith(pool);
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            tasks.add(task("t" + i, "noop", "\"" + i + "x".repeat(1000) + "\""));
        }
        tasks.add(task("huge", "noop", "\"" + "y".repeat(5000) + "\""));
        List<TaskResult> results = await(e.submit(tasks, chunked(100)));
        for (int i = 0; i < 8; i++) {
            assertEquals(tasks.get(i).input(), results.get(i).output(), results.get(i).toString());
        }
        assertEquals(ErrorType.INVALID_INPUT, results.get(8).error().type(), results.get(8).toString());
        assertTrue(pool.stats().chunks.get() >= 2, "chunks: " + pool.stats().chunks.get());
    }

    @Test
    void workersThatKeepFailingAtStartUpMakeTheBackendUnavailable() {
        ProcessBackend pool = new ProcessBackend(pool(1, 0, "-XX:+NoSuchOption"));
        Engine e = engineWith(pool);
        await().atMost(Duration.ofSeconds(60)).until(() -> pool.unavailableReason() != null);
        assertTrue(pool.unavailableReason().contains("keep failing at start-up (3 times in a row)"),
                pool.unavailableReason());
        assertTrue(pool.unavailableReason().contains("NoSuchOption"), pool.unavailableReason());
        BackendUnavailableException refused = assertThrows(BackendUnavailableException.class,
                () -> e.submit(List.of(task("x", "noop", "1")), chunked(0)));
        assertTrue(refused.getMessage().startsWith("backend 'processes' is unavailable"), refused.getMessage());
    }

    @Test
    void tasksWaitingWhenTheBackendBecomesUnavailableFailWithBackendError() {
        // a "worker" that never says hello: each start times out
        ProcessBackend pool = new ProcessBackend(new ProcessPoolConfig(1, List.of("sleep", "600"), 0,
                Duration.ofMillis(500), Duration.ofHours(1), Map.of()));
        Engine e = engineWith(pool);
        TaskResult r = await(e.submit(List.of(task("x", "noop", "1")), chunked(0))).getFirst();
        assertEquals(ErrorType.BACKEND_ERROR, r.error().type());
        assertTrue(r.error().message().contains("did not say hello within"), r.error().message());
    }

    @Test
    void noWorkerOutlivesThePool() {
        ProcessBackend pool = new ProcessBackend(pool(2, 0));
        Engine e = engineWith(pool);
        Batch batch = e.submit(List.of(task("a", "spin", "{\"ms\": 600000}"), task("b", "sleep",
                "{\"duration\": \"1h\"}")), chunked(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> batch.status().running() == 2);
        List<Long> pids = pool.pids();
        assertEquals(2, pids.size());
        e.close();
        await().atMost(Duration.ofSeconds(30)).until(() -> pids.stream().noneMatch(ProcessBackendTest::alive));
        assertTrue(batch.isFinished());
        assertEquals(BatchState.CANCELLED, batch.status().state());
        assertFalse(pids.stream().anyMatch(ProcessBackendTest::alive));
    }

    @Test
    void aWorkerThatHangsIsKilledAtTheTaskTimeoutAndReplaced() throws Exception {
        ProcessBackend pool = new ProcessBackend(pool(1, 0));
        Engine e = engineWith(pool);
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.details().get("starting").equals(0L));
        long hung = pool.pids().getFirst();
        Batch batch = e.submit(List.of(task("stuck", "sleep", "{\"duration\": \"30s\"}"), task("next", "noop", "7")),
                new BatchOptions(10, Duration.ofSeconds(2), 0, false, "p", 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> batch.status().running() == 1);
        assertEquals(0, new ProcessBuilder("kill", "-STOP", String.valueOf(hung)).start().waitFor());
        List<TaskResult> results = await(batch);
        assertEquals(ErrorType.TIMEOUT, results.get(0).error().type());
        assertEquals(7, results.get(1).output().asInt());
        await().atMost(Duration.ofSeconds(30)).until(() -> !alive(hung));
    }
}
