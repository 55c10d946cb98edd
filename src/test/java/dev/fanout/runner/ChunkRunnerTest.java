package dev.fanout.runner;

import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskState;
import dev.fanout.protocol.WireTask;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.fanout.testing.Tasks.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A whole chunk under per-task timeouts, as a Lambda invocation runs it. */
class ChunkRunnerTest {
    private final FunctionRegistry functions = FunctionRegistry.discover(getClass().getClassLoader(), Settings.EMPTY);

    @AfterEach
    void close() {
        functions.close();
    }

    private ChunkRunner runner(int cpuThreads) {
        return new ChunkRunner(new TaskRunner(functions, Settings.EMPTY), cpuThreads);
    }

    @Test
    void aTimeoutNeverInterruptsTheNextTaskOfTheSameThread() throws Exception {
        // one CPU thread runs every task in turn, each taking about as long as the timeout: timeouts fire just as
        // tasks end, and an interrupt delivered late would cut the next task on that thread short
        List<WireTask> tasks = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            tasks.add(WireTask.of(task("n" + i, "nap", "{\"us\": " + (500 + i % 7 * 100) + "}"), 1));
        }
        // busy threads beside it make the timer thread lose its core at any point, late interrupts included
        List<Thread> busy = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        for (int i = 0; i < 4; i++) {
            busy.add(Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    Thread.onSpinWait();
                }
            }));
        }
        List<TaskResult> results;
        try {
            results = runner(1).run(tasks, Duration.ofNanos(800_000), Instant.now().plusSeconds(60), "test");
        } finally {
            stop.set(true);
            for (Thread t : busy) {
                t.join();
            }
        }
        int timeouts = 0;
        for (TaskResult r : results) {
            assertTrue(r.state() == TaskState.SUCCEEDED || r.error().type() == ErrorType.TIMEOUT,
                    "a task cut short by another's timeout: " + r);
            timeouts += r.state() == TaskState.FAILED ? 1 : 0;
        }
        assertTrue(timeouts > 0, "the timeouts raced with the ends of tasks");
    }

    @Test
    void answersEveryTaskInOrderWhenOneOverrunsTheChunkDeadline() throws Exception {
        List<WireTask> tasks = List.of(WireTask.of(task("stuck", "spin", "{\"ms\": 3000}"), 1),
                WireTask.of(task("quick", "primes", "{\"limit\": 100}"), 2));
        List<TaskResult> results = runner(2).run(tasks, Duration.ofMinutes(1), Instant.now().plusMillis(300), "test");
        assertEquals(List.of("stuck", "quick"), results.stream().map(TaskResult::id).toList());
        assertEquals(ErrorType.TIMEOUT, results.get(0).error().type());
        assertTrue(results.get(0).error().message().contains("ran out of time"), results.get(0).error().message());
        assertEquals(25, results.get(1).output().get("count").asInt());
        assertEquals(2, results.get(1).attempts());
    }
}
