package dev.fanout.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fanout.core.Json;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchOptions;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Small builders and checks shared by the engine and backend tests. */
public final class Tasks {
    private Tasks() {
    }

    public static TaskSpec task(String id, String function, String inputJson) {
        try {
            return new TaskSpec(id, function, inputJson == null ? null : Json.mapper().readTree(inputJson));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static BatchOptions options(Duration timeout, int retries, boolean failFast, int maxConcurrency) {
        return new BatchOptions(maxConcurrency, timeout, retries, failFast, "under-test", 0);
    }

    public static BatchOptions defaults() {
        return options(Duration.ofSeconds(30), 0, false, 10_000);
    }

    /** Waits for the batch (a bound that only a hang would reach) and checks the exactly-once promise. */
    public static List<TaskResult> await(Batch batch) {
        try {
            batch.done().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("batch did not finish: " + batch.status(), e);
        }
        List<TaskResult> results = batch.resultsInInputOrder();
        assertEquals(batch.total(), batch.completedCount(), "every task completes once");
        Set<String> seen = new HashSet<>();
        for (int k = 0; k < batch.completedCount(); k++) {
            TaskResult r = batch.completedAt(k);
            assertNotNull(r);
            assertTrue(seen.add(r.id()), "task " + r.id() + " completed twice");
        }
        var s = batch.status();
        assertEquals(batch.total(), s.succeeded() + s.failed() + s.cancelled(), "counters add up: " + s);
        assertEquals(0, s.running());
        assertEquals(0, s.pending());
        return results;
    }
}
