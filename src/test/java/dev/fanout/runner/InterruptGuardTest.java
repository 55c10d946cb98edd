package dev.fanout.runner;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InterruptGuardTest {

    @Test
    void interruptsTheTaskWhileItRuns() throws Exception {
        CountDownLatch armed = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        InterruptGuard[] guard = new InterruptGuard[1];
        Thread task = Thread.ofPlatform().start(() -> {
            guard[0] = new InterruptGuard();
            armed.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
            guard[0].disarm();
        });
        armed.await();
        guard[0].interrupt();
        task.join();
        assertTrue(interrupted.get());
    }

    @Test
    void aLateInterruptNeverReachesTheThreadsNextTask() throws Exception {
        AtomicBoolean nextTaskSawInterrupt = new AtomicBoolean(true);
        CountDownLatch returned = new CountDownLatch(1);
        CountDownLatch stopperDone = new CountDownLatch(1);
        InterruptGuard[] guard = new InterruptGuard[1];
        Thread pooled = Thread.ofPlatform().start(() -> {
            guard[0] = new InterruptGuard();
            returned.countDown(); // the task has returned ...
            await(stopperDone);   // ... and its timeout fires now, before the thread disarms
            guard[0].disarm();
            nextTaskSawInterrupt.set(Thread.currentThread().isInterrupted()); // the next task on this thread
            guard[0].interrupt(); // and a stop arriving later still
            nextTaskSawInterrupt.compareAndSet(false, Thread.currentThread().isInterrupted());
        });
        returned.await();
        guard[0].interrupt();
        stopperDone.countDown();
        pooled.join();
        assertFalse(nextTaskSawInterrupt.get());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the interrupt under test; disarm clears it
        }
    }
}
