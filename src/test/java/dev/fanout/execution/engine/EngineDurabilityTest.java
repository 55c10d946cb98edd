package dev.fanout.execution.engine;

import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchDetails;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.execution.batch.BatchState;
import dev.fanout.execution.batch.BatchView;
import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.core.TaskState;
import dev.fanout.execution.local.LocalBackend;
import dev.fanout.runner.TaskRunner;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.Settings;
import dev.fanout.store.Store;
import dev.fanout.store.StoredBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.fanout.testing.Tasks.await;
import static dev.fanout.testing.Tasks.task;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a durable store adds to the engine: nothing acknowledged is lost when the engine stops and another takes the
 * store up (the same process restarted, another instance), redrive, tolerated failures, idempotency keys. Run against
 * each durable store on a real database.
 */
public abstract class EngineDurabilityTest {
    protected final FunctionRegistry functions = FunctionRegistry.discover(getClass().getClassLoader(), Settings.EMPTY);
    private final List<Engine> engines = new ArrayList<>();

    /** A store on the test's database: the same database each call, as a restarted service opens it again. */
    protected abstract Store openStore();

    protected Engine engine() {
        return engine(openStore(), Duration.ofSeconds(15), EngineListener.NONE);
    }

    protected Engine engine(Store store, Duration lease, EngineListener listener) {
        return engine(store, lease, listener, 100_000);
    }

    /** @param ioMaxConcurrency IO tasks in flight at once across its batches (fanout.io.max-concurrency) */
    protected Engine engine(Store store, Duration lease, EngineListener listener, int ioMaxConcurrency) {
        Backend vt = LocalBackend.virtualThreads(new TaskRunner(functions, Settings.EMPTY));
        Engine e = new Engine(functions, Map.of("vt", vt), "vt", (f, o) -> vt, new EngineConfig(ioMaxConcurrency,
                Duration.ofHours(1), 1000, Duration.ofMillis(10), Duration.ofMillis(10), 100, Long.MAX_VALUE,
                Long.MAX_VALUE, lease), listener, store);
        e.start();
        engines.add(e);
        return e;
    }

    /** {@code store} with one method replaced: {@code apply}, {@code renew}, ... (by name) */
    protected static Store intercept(Store store, String method, java.util.function.BiFunction<java.lang.reflect.Method,
            Object[], Object> replacement) {
        return (Store) java.lang.reflect.Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class},
                (proxy, m, args) -> {
                    if (m.getName().equals(method)) {
                        return replacement.apply(m, args);
                    }
                    try {
                        return m.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static Object call(Store store, java.lang.reflect.Method m, Object[] args) {
        try {
            return m.invoke(store, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void closeAll() {
        engines.forEach(Engine::close);
        functions.close();
    }

    private static BatchOptions options(int retries) {
        return new BatchOptions(1000, Duration.ofMinutes(5), retries, false, "vt", 0);
    }

    private static BatchView awaitView(Engine e, String id) {
        BatchView view = e.find(id).orElseThrow();
        try {
            view.done().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception ex) {
            throw new AssertionError("batch did not finish: " + view.status(), ex);
        }
        return e.find(id).orElseThrow();
    }

    private static List<TaskResult> results(BatchView view) {
        return view.page(true, 0, Integer.MAX_VALUE).stream().map(BatchView.Numbered::result).toList();
    }

    /** Results as their JSON: what clients see (a number read back from the store may be another node type). */
    private static String json(List<TaskResult> results) {
        try {
            return dev.fanout.core.Json.mapper().writeValueAsString(results);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aBatchStoppedMidwayResumesInTheNextEngineWithNothingRunTwice() {
        Engine first = engine();
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            tasks.add(task("quick" + i, "sleep", "{\"duration\": \"1ms\"}"));
        }
        tasks.add(task("slow", "sleep", "{\"duration\": \"2s\"}"));
        Batch batch = first.submit(tasks, options(0));
        await().atMost(Duration.ofSeconds(30)).until(() -> batch.completedCount() == 20);
        List<TaskResult> before = batch.page(true, 0, 20).stream().map(BatchView.Numbered::result).toList();
        first.close(); // the slow task is stopped: no result is written for it

        Engine second = engine();
        BatchView resumed = awaitView(second, batch.id());
        assertEquals(BatchState.SUCCEEDED, resumed.status().state());
        List<TaskResult> after = results(resumed);
        assertEquals(21, after.size());
        assertEquals(json(before), json(after.subList(0, 20)), "results stored before the stop are kept, never rerun");
        TaskResult slow = after.get(20);
        assertEquals(2, slow.attempts(), "the slow task had started once before: " + slow);
        assertEquals(List.of(1, 21), List.of(resumed.page(false, 0, 1).getFirst().seq(),
                resumed.page(false, 20, 1).getFirst().seq()), "its result takes the next place: 21");
    }

    @Test
    void aCancelStoredBeforeAStopHoldsAfterIt() {
        Map<String, Integer> reports = new java.util.concurrent.ConcurrentHashMap<>();
        EngineListener counting = new EngineListener() {
            @Override
            public void batchFinished(Batch b) {
                reports.merge(b.id(), 1, Integer::sum);
            }
        };
        Engine first = engine(openStore(), Duration.ofSeconds(15), counting);
        Batch batch = first.submit(List.of(task("a", "sleep", "{\"duration\": \"1h\"}"),
                task("b", "sleep", "{\"duration\": \"1h\"}")), options(0));
        await().atMost(Duration.ofSeconds(30)).until(() -> batch.status().running() == 2);
        first.store().requestStop(batch.id(), "batch cancelled", true); // the cancel is stored, then the crash
        first.close();

        Engine second = engine(openStore(), Duration.ofSeconds(15), counting);
        BatchView resumed = awaitView(second, batch.id());
        assertEquals(BatchState.CANCELLED, resumed.status().state());
        results(resumed).forEach(r -> assertEquals(ErrorType.CANCELLED, r.error().type()));
        Batch other = second.submit(List.of(task("c", "sleep", "{\"duration\": \"1ms\"}")), options(0));
        awaitView(second, other.id()); // the journal has handled every end queued before this one's
        assertEquals(1, reports.get(batch.id()), "reported finished once (by whichever engine applied the cancel)");
    }

    @Test
    void aResultTheStoreDidNotTakeIsNeverShownAndTheBatchIsTakenUpAgain() {
        java.util.concurrent.atomic.AtomicBoolean refused = new java.util.concurrent.atomic.AtomicBoolean();
        Store store = openStore();
        Engine e = engine(intercept(store, "apply", (m, args) -> {
            @SuppressWarnings("unchecked")
            List<dev.fanout.store.Change> changes = (List<dev.fanout.store.Change>) args[1];
            for (dev.fanout.store.Change c : changes) {
                if (c instanceof dev.fanout.store.Change.Finished f && refused.compareAndSet(false, true)) {
                    return java.util.Set.of(f.batchId()); // as a store whose batch another instance took over
                }
            }
            return call(store, m, args);
        }), Duration.ofMillis(600), EngineListener.NONE);
        Batch batch = e.submit(List.of(task("a", "sha256", "{\"data\": \"x\"}")), options(0));
        await().atMost(Duration.ofSeconds(30)).until(batch::handedOver);
        assertEquals(0, batch.completedCount(), "a result the store did not take was shown");
        BatchView done = awaitView(e, batch.id()); // its lease runs out; the batch is claimed and resumed
        assertEquals(BatchState.SUCCEEDED, done.status().state());
        assertEquals(1, results(done).size());
        assertEquals(1, e.store().find(batch.id()).orElseThrow().succeeded(), "one result stored");
    }

    @Test
    void aRestartDoesNotGiveATaskItsRetriesAgain() {
        String id = "crashed-batch";
        try (Store before = openStore()) { // a batch whose task failed twice (retries: 1) when its instance died
            before.create(new dev.fanout.store.NewBatch(id, options(1).json(), 1000,
                    List.of(task("t", "flaky", "{\"succeedOnAttempt\": 10}")), null, null, "crashed", 2000));
            before.apply(java.util.Map.of(id, dev.fanout.store.Store.FIRST_EPOCH), List.of(new dev.fanout.store.Change.Started(id, 0, 1),
                    new dev.fanout.store.Change.Started(id, 0, 2)));
        }
        BatchView done = awaitView(engine(), id);
        TaskResult result = results(done).getFirst();
        assertEquals(TaskState.FAILED, result.state());
        assertEquals(3, result.attempts(), "it runs once more (it never got a result), not retries more: " + result);
    }

    @Test
    void aGroupTheJournalFailedToWriteIsTriedAgainWithoutNewWork() {
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        Store flaky = openStore();
        Engine e = engine(intercept(flaky, "apply", (m, args) -> {
            if (failed.compareAndSet(false, true)) {
                throw new IllegalStateException("a bug that is not a store failure");
            }
            return call(flaky, m, args);
        }), Duration.ofSeconds(15), EngineListener.NONE);
        Batch batch = e.submit(List.of(task("a", "sha256", "{\"data\": \"x\"}")), options(0));
        assertEquals(BatchState.SUCCEEDED, awaitView(e, batch.id()).status().state());
        assertTrue(failed.get());
    }

    @Test
    void aBatchStartedWhileLeasesAreRenewedIsNotTakenForLost() throws Exception {
        java.util.concurrent.CountDownLatch renewing = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch submitted = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
        Store store = openStore();
        Engine e = engine(intercept(store, "renew", (m, args) -> {
            Object held = call(store, m, args); // what the store holds for the runs as they were
            if (armed.compareAndSet(true, false)) {
                renewing.countDown();
                try {
                    submitted.await(); // a batch starts before the answer arrives
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
            return held;
        }), Duration.ofMillis(600), EngineListener.NONE);
        armed.set(true);
        renewing.await(30, java.util.concurrent.TimeUnit.SECONDS);
        Batch batch = e.submit(List.of(task("a", "sleep", "{\"duration\": \"300ms\"}"),
                task("b", "sleep", "{\"duration\": \"300ms\"}")), options(0));
        submitted.countDown();
        BatchView done = awaitView(e, batch.id());
        assertEquals(BatchState.SUCCEEDED, done.status().state());
        results(done).forEach(r -> assertEquals(1, r.attempts(), "ran once, never given up: " + r));
    }

    @Test
    void redriveRunsTheFailuresAgainAndKeepsTheSuccesses() {
        Engine e = engine();
        Batch batch = e.submit(List.of(task("ok", "sha256", "{\"data\": \"x\"}"),
                task("flaky", "flaky", "{\"succeedOnAttempt\": 2}")), options(0));
        await(batch);
        assertEquals(BatchState.FAILED, awaitView(e, batch.id()).status().state());
        TaskResult success = batch.result(0);

        BatchView redriven = e.redrive(batch.id(), null, 1, null).orElseThrow();
        assertEquals(BatchState.RUNNING, redriven.status().state());
        BatchView done = awaitView(e, batch.id());
        assertEquals(BatchState.SUCCEEDED, done.status().state());
        List<TaskResult> results = results(done);
        assertEquals(json(List.of(success)), json(results.subList(0, 1)), "the success is kept as it was");
        assertEquals(2, results.get(1).attempts());
        assertEquals(2, results.get(1).output().get("attempt").asInt());
        assertEquals(3, done.page(false, 0, 10).getLast().seq(), "the new result comes after the old ones");
    }

    @Test
    void aRunningBatchCannotBeRedriven() {
        Engine e = engine();
        Batch batch = e.submit(List.of(task("a", "sleep", "{\"duration\": \"1h\"}")), options(0));
        assertThrows(BatchRunningException.class, () -> e.redrive(batch.id(), null, null, null));
        e.cancel(batch.id());
    }

    @Test
    void moreFailuresThanToleratedStopTheBatch() {
        Engine e = engine();
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tasks.add(task("f" + i, "fail", null));
        }
        for (int i = 0; i < 5; i++) {
            tasks.add(task("s" + i, "sleep", "{\"duration\": \"1h\"}"));
        }
        Batch batch = e.submit(tasks, new BatchOptions(1, Duration.ofHours(2), 0, false, "vt", 0, 2, -1));
        BatchView done = awaitView(e, batch.id());
        assertEquals(BatchState.FAILED, done.status().state());
        assertEquals(3, done.status().failed(), "two tolerated, the third stops it");
        assertEquals(7, done.status().cancelled());
        assertTrue(results(done).get(9).error().message().contains("toleratedFailureCount 2"),
                results(done).get(9).toString());
    }

    @Test
    void aBatchThisInstanceLosesGivesBackItsIoPermits() {
        java.util.concurrent.atomic.AtomicReference<String> lost = new java.util.concurrent.atomic.AtomicReference<>();
        Store store = openStore();
        // another instance has the batch: renewals no longer hold it, and it is never this instance's to claim again
        Store taken = intercept(store, "renew", (m, args) -> {
            @SuppressWarnings("unchecked")
            java.util.Set<String> held = new java.util.HashSet<>((java.util.Set<String>) call(store, m, args));
            if (lost.get() != null) {
                held.remove(lost.get());
            }
            return held;
        });
        Engine e = engine(intercept(taken, "claim", (m, args) -> {
            @SuppressWarnings("unchecked")
            List<dev.fanout.store.Store.Claim> claimed = (List<dev.fanout.store.Store.Claim>) call(taken, m, args);
            return claimed.stream().filter(c -> !c.batchId().equals(lost.get())).toList();
        }), Duration.ofMillis(600), EngineListener.NONE, 4);
        List<TaskSpec> sleeps = new ArrayList<>();
        for (int i = 0; i < 6; i++) { // four run, holding every IO permit; two wait for one
            sleeps.add(task("s" + i, "sleep", "{\"duration\": \"1h\"}"));
        }
        Batch first = e.submit(sleeps, options(0));
        await().atMost(Duration.ofSeconds(30)).until(() -> first.status().running() == 4);
        lost.set(first.id());
        await().atMost(Duration.ofSeconds(30)).until(first::handedOver); // the next renewal tells it
        Batch next = e.submit(List.of(task("n", "sleep", "{\"duration\": \"1ms\"}")), options(0));
        assertEquals(BatchState.SUCCEEDED, awaitView(e, next.id()).status().state(),
                "the IO permits of the lost batch's tasks came back");
    }

    @Test
    void aRunWhoseLeaseRunsOutWhileTheStoreHangsStopsAndGivesBackItsPermits() throws Exception {
        java.util.concurrent.CountDownLatch away = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean hanging = new java.util.concurrent.atomic.AtomicBoolean();
        Store store = openStore();
        // the database stops answering renewals (a partition, a paused server): they wait, as a socket read does
        Store hangs = intercept(store, "renew", (m, args) -> {
            if (hanging.get()) {
                try {
                    away.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return call(store, m, args);
        });
        Engine e = engine(hangs, Duration.ofMillis(600), EngineListener.NONE, 4);
        List<TaskSpec> sleeps = new ArrayList<>();
        for (int i = 0; i < 4; i++) { // they hold every IO permit
            sleeps.add(task("s" + i, "sleep", "{\"duration\": \"1h\"}"));
        }
        Batch first = e.submit(sleeps, options(0));
        await().atMost(Duration.ofSeconds(30)).until(() -> first.status().running() == 4);
        hanging.set(true);
        try {
            // another instance may claim it once the lease ran out: this one must not go on running it
            await().atMost(Duration.ofSeconds(30)).until(first::handedOver);
            Batch next = e.submit(List.of(task("n", "sleep", "{\"duration\": \"1ms\"}")), options(0));
            assertEquals(BatchState.SUCCEEDED, awaitView(e, next.id()).status().state(),
                    "the IO permits of the lapsed run came back");
        } finally {
            away.countDown();
        }
        // the store answers again: the batch is claimed anew (a new epoch) and runs here again
        await().atMost(Duration.ofSeconds(30)).until(() -> e.find(first.id()).orElseThrow().status().running() == 4);
    }

    @Test
    void aFailFastStopIsStoredWithTheFailureThatDecidedIt() {
        // the instance dies right after the commit that holds the failure: nothing it wrote later is stored
        java.util.concurrent.atomic.AtomicBoolean died = new java.util.concurrent.atomic.AtomicBoolean();
        Store store = openStore();
        Store dying = intercept(store, "apply", (m, args) -> {
            @SuppressWarnings("unchecked")
            List<dev.fanout.store.Change> changes = (List<dev.fanout.store.Change>) args[1];
            if (died.get()) {
                return java.util.Set.copyOf(changes.stream().map(dev.fanout.store.Change::batchId).toList());
            }
            for (int i = 0; i < changes.size(); i++) {
                if (changes.get(i) instanceof dev.fanout.store.Change.Finished f
                        && f.result().state() == TaskState.FAILED) {
                    // a commit holds the failure and what is written with it (a stop), never what came after
                    int end = i + 1;
                    while (end < changes.size() && changes.get(end) instanceof dev.fanout.store.Change.Stopped) {
                        end++;
                    }
                    call(store, m, new Object[] {args[0], List.copyOf(changes.subList(0, end))});
                    died.set(true);
                    return java.util.Set.of(f.batchId());
                }
            }
            return call(store, m, args);
        });
        // the next claim of the batch is another life (as another instance): its writes are stored
        Engine e = engine(intercept(dying, "claim", (m, args) -> {
            @SuppressWarnings("unchecked")
            List<dev.fanout.store.Store.Claim> claimed = (List<dev.fanout.store.Store.Claim>) call(dying, m, args);
            if (!claimed.isEmpty()) {
                died.set(false);
            }
            return claimed;
        }), Duration.ofMillis(600), EngineListener.NONE);
        List<TaskSpec> tasks = new ArrayList<>(List.of(task("f", "fail", null)));
        for (int i = 0; i < 5; i++) {
            tasks.add(task("s" + i, "sleep", "{\"duration\": \"1ms\"}"));
        }
        Batch batch = e.submit(tasks, new BatchOptions(1, Duration.ofMinutes(5), 0, true, "vt", 0));
        await().atMost(Duration.ofSeconds(30)).until(batch::handedOver); // given up: the store did not take it
        BatchView done = awaitView(e, batch.id()); // the lease runs out; the batch is claimed and resumed
        assertEquals(BatchState.FAILED, done.status().state());
        assertEquals(1, done.status().failed());
        assertEquals(0, done.status().succeeded(), "a task ran after the failFast stop: " + results(done));
        assertEquals(5, done.status().cancelled());
        for (TaskResult r : results(done).subList(1, 6)) {
            assertEquals(0, r.attempts(), "never dispatched: " + r);
            assertTrue(r.error().message().contains("failFast"), r.toString());
        }
    }

    @Test
    void aToleratedPercentageLetsTheBatchRunToTheEnd() {
        Engine e = engine();
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            tasks.add(i < 2 ? task("f" + i, "fail", null) : task("s" + i, "sleep", "{\"duration\": \"1ms\"}"));
        }
        Batch batch = e.submit(tasks, new BatchOptions(100, Duration.ofMinutes(1), 0, false, "vt", 0, -1, 20));
        BatchView done = awaitView(e, batch.id());
        assertEquals(2, done.status().failed());
        assertEquals(8, done.status().succeeded(), "20% of 10 tolerated: every task ran");
    }

    @Test
    void anIdempotencyKeyAnswersTheSameBatchAcrossARestart() {
        Engine first = engine();
        List<TaskSpec> tasks = List.of(task("a", "sleep", "{\"duration\": \"1ms\"}"));
        Engine.Submitted one = first.submit(tasks, options(0), "key-42", "hash");
        assertTrue(!one.repeated());
        Engine.Submitted again = first.submit(tasks, options(0), "key-42", "hash");
        assertTrue(again.repeated());
        assertEquals(one.batch().id(), again.batch().id());
        awaitView(first, one.batch().id());
        first.close();
        Engine second = engine();
        assertEquals(one.batch().id(), second.submit(tasks, options(0), "key-42", "hash").batch().id());
        assertThrows(dev.fanout.store.IdempotencyConflictException.class,
                () -> second.submit(tasks, options(0), "key-42", "other"));
        assertEquals(1, second.batchCount());
    }

    @Test
    void finishedBatchesAreReadFromTheStore() {
        Engine first = engine();
        Batch batch = first.submit(List.of(task("a", "sha256", "{\"data\": \"hello\"}")), options(0));
        await(batch);
        awaitView(first, batch.id());
        first.close();
        Engine second = engine();
        BatchView view = second.find(batch.id()).orElseThrow();
        assertTrue(view.isFinished());
        assertEquals(BatchState.SUCCEEDED, view.status().state());
        assertEquals("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                results(view).getFirst().output().get("hex").asText());
        assertEquals(batch.id(), second.list(0, 10).getFirst().id());
        StoredBatch row = second.store().find(batch.id()).orElseThrow();
        assertNotNull(row.finishedAt());
        assertSame(null, row.owner(), "a finished batch belongs to nobody");
    }

    @Test
    void everyResultIsStoredBeforeAReaderSeesIt() {
        Engine e = engine();
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            tasks.add(task("t" + i, "sleep", "{\"duration\": \"" + (i % 7) + "ms\"}"));
        }
        Batch batch = e.submit(tasks, options(0));
        int checked = 0;
        while (!batch.isFinished() || checked < batch.completedCount()) {
            int visible = batch.completedCount();
            if (visible > checked) {
                int stored = e.store().find(batch.id()).orElseThrow().succeeded();
                assertTrue(stored >= visible, "visible " + visible + " but stored " + stored);
                checked = visible;
            }
        }
        assertEquals(500, checked);
        assertEquals(TaskState.SUCCEEDED, batch.result(499).state());
    }

    @Test
    void statisticsSurviveARestartForFinishedAndResumedBatches() {
        Engine first = engine();
        Batch finished = first.submit(List.of(task("ok", "sleep", "{\"duration\": \"50ms\"}"),
                task("bad", "fail", "{\"message\": \"boom\"}")), options(0));
        awaitView(first, finished.id());
        Batch cut = first.submit(List.of(task("f", "fail", "{\"message\": \"bang\"}"),
                task("quick", "sleep", "{\"duration\": \"1ms\"}"),
                task("slow", "sleep", "{\"duration\": \"1s\"}")), options(0));
        await().atMost(Duration.ofSeconds(30)).until(() -> cut.completedCount() == 2);
        first.close(); // the slow task is stopped: it runs again in the next engine

        Engine second = engine();
        BatchDetails done = second.find(finished.id()).orElseThrow().details(); // read once from the stored results
        assertEquals(2, done.progress().done());
        assertEquals(2, done.stats().durationMs().count());
        assertTrue(done.stats().durationMs().max() >= 50, done.stats().toString());
        assertEquals(1, done.stats().errors().get("FUNCTION_ERROR").count());
        List<String> samples = done.stats().errors().get("FUNCTION_ERROR").samples();
        assertTrue(samples.size() == 1 && samples.getFirst().contains("boom"), samples.toString());

        BatchView resumed = awaitView(second, cut.id());
        BatchDetails d = resumed.details();
        assertEquals(3, d.progress().done());
        assertEquals(3, d.stats().durationMs().count(), "the results from before the restart count too");
        assertEquals(1, d.stats().errors().get("FUNCTION_ERROR").count());
        assertEquals(2, d.stats().queueWaitMs().count(), "the slow task's result came from its second attempt");
    }
}
