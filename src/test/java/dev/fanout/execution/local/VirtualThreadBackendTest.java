package dev.fanout.execution.local;

import dev.fanout.execution.backend.BackendContractTest;
import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.batch.Batch;
import dev.fanout.core.TaskSpec;
import dev.fanout.testing.Gauge;
import dev.fanout.runner.TaskRunner;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.fanout.testing.Tasks.await;
import static dev.fanout.testing.Tasks.options;
import static dev.fanout.testing.Tasks.task;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VirtualThreadBackendTest extends BackendContractTest {

    @Override
    protected Backend createBackend(TaskRunner runner) {
        return LocalBackend.virtualThreads(runner);
    }

    @Override
    protected String backendLabelPrefix() {
        return "virtual-thread";
    }

    @Test
    void keepsAtMostMaxConcurrencyTasksInFlight() {
        Gauge.reset();
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            tasks.add(task("t" + i, "gauge", "{\"ms\": 5}"));
        }
        await(run(tasks, options(Duration.ofSeconds(30), 0, false, 7)));
        assertTrue(Gauge.MAX.get() <= 7, "max in flight " + Gauge.MAX.get());
        assertTrue(Gauge.MAX.get() > 1, "tasks ran concurrently");
    }

    @Test
    void interruptsRunningTasksWhenCancelled() {
        Gauge.reset();
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tasks.add(task("t" + i, "gauge", "{\"ms\": 3600000}"));
        }
        Batch batch = run(tasks, options(Duration.ofHours(2), 0, false, 10));
        await().atMost(Duration.ofSeconds(30)).until(() -> Gauge.CURRENT.get() == 3);
        engine.cancel(batch.id());
        await(batch);
        await().atMost(Duration.ofSeconds(30)).until(() -> Gauge.INTERRUPTED.get() == 3);
        assertEquals(0, Gauge.CURRENT.get());
    }

    @Test
    void runsTenThousandConcurrentSleepsAtOnce() {
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            tasks.add(task("t" + i, "sleep", "{\"duration\": \"1s\"}"));
        }
        Batch batch = run(tasks, options(Duration.ofSeconds(30), 0, false, 10_000));
        await(batch);
        assertEquals(10_000, batch.status().succeeded());
        // the loose bound: serially this would take almost three hours
        assertTrue(Duration.between(batch.createdAt(), batch.status().finishedAt()).toSeconds() < 30);
    }
}
