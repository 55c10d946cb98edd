package dev.fanout.execution.backend;

import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.fanout.testing.Tasks.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The attempt's little state machine: whoever gets to DONE first decides, and a stop always lands. */
class AttemptTest {
    private static final BatchOptions OPTIONS = new BatchOptions(1, Duration.ofMinutes(1), 0, false, "x", 0);

    /** Records what the engine side sees of one attempt. */
    private static final class Recorder implements Attempt.Listener {
        final AtomicReference<TaskResult> result = new AtomicReference<>();
        final AtomicInteger results = new AtomicInteger();

        @Override
        public boolean started(Attempt attempt) {
            return true;
        }

        @Override
        public void completed(Attempt attempt, TaskResult r) {
            results.incrementAndGet();
            result.set(r);
        }
    }

    private static Attempt attempt(Recorder recorder) {
        return new Attempt(recorder, null, "b", 0, task("t", "noop", "1"), 1, OPTIONS);
    }

    @Test
    void aCancelRacingWithStartAlwaysStopsTheWork() throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(2);
        for (int round = 0; round < 10_000; round++) {
            Recorder recorder = new Recorder();
            Attempt attempt = attempt(recorder);
            AtomicInteger stopperCalls = new AtomicInteger();
            Thread canceller = Thread.ofPlatform().start(() -> {
                await(barrier);
                attempt.stop(Attempt.Stop.CANCELLED);
            });
            await(barrier);
            boolean started = attempt.start("here");
            if (started) {
                attempt.onStop(reason -> stopperCalls.incrementAndGet());
            }
            canceller.join();
            assertTrue(attempt.isDone(), "round " + round + ": the cancel was lost (the attempt still runs, started="
                    + started + ")");
            assertEquals(1, recorder.results.get(), "round " + round + ": one result");
            assertEquals(TaskState.CANCELLED, recorder.result.get().state());
            if (started) {
                assertTrue(stopperCalls.get() >= 1, "round " + round + ": the running work was never told to stop");
            }
        }
    }

    @Test
    void aResultAfterAStopIsDropped() {
        Recorder recorder = new Recorder();
        Attempt attempt = attempt(recorder);
        assertTrue(attempt.start("here"));
        attempt.stop(Attempt.Stop.TIMEOUT);
        assertTrue(!attempt.complete(TaskResult.succeeded("t", null, 1, "here", null, 0)));
        assertEquals(1, recorder.results.get());
        assertNotNull(recorder.result.get().error());
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
