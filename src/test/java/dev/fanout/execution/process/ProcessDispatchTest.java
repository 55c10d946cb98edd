package dev.fanout.execution.process;

import dev.fanout.core.ErrorType;
import dev.fanout.core.Json;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.core.TaskState;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.execution.engine.Engine;
import dev.fanout.protocol.WireTask;
import dev.fanout.testing.Engines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.fanout.testing.Tasks.await;
import static dev.fanout.testing.Tasks.task;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How chunks are cut and sent, seen from fake workers that record every frame. */
class ProcessDispatchTest {
    private static final int FRAME_LIMIT = 4096;

    private final Engines engines = new Engines();
    private final FakeWorkers workers = new FakeWorkers();

    private Engine engineWith(ProcessBackend pool) {
        return engines.around("p", pool);
    }

    @AfterEach
    void close() throws Exception {
        engines.close();
    }

    @Test
    void chunksAreCutSoThatNoFrameExceedsTheLimit() throws Exception {
        ProcessBackend pool = new ProcessBackend(FakeWorkers.config(1, Duration.ofHours(1))
                .withMaxFrameBytes(FRAME_LIMIT), workers);
        Engine e = engineWith(pool);
        FakeWorkers.Fake worker = workers.next();
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            tasks.add(task("t" + i, "noop", "\"" + i + "x".repeat(1000) + "\""));
        }
        TaskSpec huge = task("huge", "noop", "\"" + "y".repeat(FRAME_LIMIT) + "\"");
        tasks.add(huge);
        var batch = e.submit(tasks, new BatchOptions(100, Duration.ofMinutes(1), 0, false, "p", 100));
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.queueDepth() == 13); // one chunk of 13 by count
        worker.answersAtOnce = true;
        worker.hello();

        List<TaskResult> results = await(batch);
        assertTrue(worker.frameBytes.size() >= 3, "12 tasks of 1 KB in frames of 4 KB: " + worker.frameBytes);
        worker.frameBytes.forEach(n -> assertTrue(n <= FRAME_LIMIT, "a frame of " + n + " bytes"));
        for (int i = 0; i < 12; i++) {
            assertEquals(TaskState.SUCCEEDED, results.get(i).state(), results.get(i).toString());
            assertEquals(tasks.get(i).input(), results.get(i).output());
        }
        TaskResult refused = results.get(12);
        assertEquals(TaskState.FAILED, refused.state(), refused.toString());
        assertEquals(ErrorType.INVALID_INPUT, refused.error().type(), refused.toString());
        int hugeBytes = Json.mapper().writeValueAsBytes(WireTask.of(huge, 1)).length;
        assertTrue(refused.error().message().contains(hugeBytes + " bytes"), refused.error().message());
        assertTrue(refused.error().message().contains(FRAME_LIMIT + " bytes"), refused.error().message());
    }
}
