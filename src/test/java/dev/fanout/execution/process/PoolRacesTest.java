package dev.fanout.execution.process;

import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskState;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.execution.engine.Engine;
import dev.fanout.protocol.Chunk;
import dev.fanout.testing.Engines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.fanout.testing.Tasks.await;
import static dev.fanout.testing.Tasks.task;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Races between what a worker says and what the pool decides, played in a chosen order with fake workers: the order
 * real processes produce only now and then.
 */
class PoolRacesTest {
    private final Engines engines = new Engines();
    private final FakeWorkers workers = new FakeWorkers();

    private Engine engineWith(ProcessBackend pool) {
        return engines.around("p", pool);
    }

    @AfterEach
    void close() throws Exception {
        engines.close();
    }

    private static BatchOptions options(Duration timeout, int chunkSize) {
        return new BatchOptions(10, timeout, 0, false, "p", chunkSize);
    }

    @Test
    void aReplyLandingAfterItsWorkerWasKilledBlamesNoOtherTask() throws Exception {
        ProcessBackend pool = new ProcessBackend(FakeWorkers.config(1, Duration.ofHours(1)), workers);
        Engine e = engineWith(pool);
        FakeWorkers.Fake first = workers.next();
        Batch batch = e.submit(List.of(task("stuck", "noop", "1"), task("innocent", "noop", "2")),
                options(Duration.ofMillis(300), 2));
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.queueDepth() == 2); // one chunk of both
        first.hello();
        Chunk chunk = first.nextChunk();
        assertEquals(2, chunk.tasks().size());
        // "stuck" overruns its timeout and the pool kills its worker, whose reply to "stuck" was already on its way
        assertTrue(first.awaitKill().contains("stuck"), first.killedBecause());
        first.succeed(chunk, 0);
        first.events.exited(first, "worker process " + first.pid + " was killed: " + first.killedBecause());

        FakeWorkers.Fake second = workers.next();
        second.answersAtOnce = true;
        second.hello();
        List<TaskResult> results = await(batch);
        assertEquals(ErrorType.TIMEOUT, results.get(0).error().type(), results.get(0).toString());
        TaskResult innocent = results.get(1);
        assertEquals(TaskState.SUCCEEDED, innocent.state(), "blamed for its worker's kill: " + innocent);
        assertEquals(second.label(), innocent.backend());
        assertEquals(1, innocent.attempts());
    }

    @Test
    void aHelloLandingAfterTheStartTimeoutKillGivesThatWorkerNoWork() throws Exception {
        ProcessBackend pool = new ProcessBackend(FakeWorkers.config(1, Duration.ofSeconds(2)), workers);
        Engine e = engineWith(pool);
        FakeWorkers.Fake late = workers.next();
        assertTrue(late.awaitKill().contains("did not say hello within 2s"), late.killedBecause());
        late.hello(); // sent just before the kill
        assertEquals(0L, pool.details().get("idle"), "a worker being killed was made idle");
        Batch batch = e.submit(List.of(task("t", "noop", "1")), options(Duration.ofMinutes(1), 1));
        late.events.exited(late, "worker process " + late.pid + " was killed: " + late.killedBecause());

        FakeWorkers.Fake next = workers.next();
        next.answersAtOnce = true;
        next.hello();
        TaskResult r = await(batch).getFirst();
        assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());
        assertEquals(next.label(), r.backend());
        assertTrue(late.chunks.isEmpty(), "the killed worker was sent " + late.chunks);
    }

    @Test
    void aHelloWhileNewWorkersCannotBeStartedLeavesAWorkingPool() throws Exception {
        ProcessBackend pool = new ProcessBackend(FakeWorkers.config(2, Duration.ofHours(1)), workers);
        Engine e = engineWith(pool);
        FakeWorkers.Fake first = workers.next();
        FakeWorkers.Fake second = workers.next();
        workers.unstartable = true; // say the worker command vanished after both started
        second.events.exited(second, "worker process " + second.pid + " exited with code 1");
        // the first says hello: the pool would like to be whole again, and cannot be
        CompletableFuture<Void> hello = CompletableFuture.runAsync(first::hello);
        hello.get(10, TimeUnit.SECONDS);

        assertNull(pool.unavailableReason(), "one worker works");
        first.answersAtOnce = true;
        TaskResult r = await(e.submit(List.of(task("t", "noop", "1")), options(Duration.ofMinutes(1), 1))).getFirst();
        assertEquals(first.label(), r.backend(), r.toString());
    }
}
