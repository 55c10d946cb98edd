package dev.fanout.execution.process;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Results the pool decides under its lock, delivered once the lock is released: completing an attempt calls into the
 * engine, which may resubmit (and so take the lock again) or take locks of its own. Every path that decides a result
 * posts it here, so that none is forgotten on a rare path (a worker that cannot be started, say).
 */
final class Outbox {
    private final ReentrantLock lock;
    private List<Runnable> pending = new ArrayList<>();

    Outbox(ReentrantLock lock) {
        this.lock = lock;
    }

    /** Inside {@link #locked}: deliver this once the lock is released. */
    void post(Runnable delivery) {
        pending.add(delivery);
    }

    /**
     * Runs {@code change} under the lock, then delivers what it posted, even if it threw. A nested call leaves the
     * delivering to the outermost one, which is the one that really releases the lock.
     */
    void locked(Runnable change) {
        lock.lock();
        try {
            change.run();
        } finally {
            List<Runnable> deliveries = List.of();
            if (lock.getHoldCount() == 1) {
                deliveries = pending;
                pending = new ArrayList<>();
            }
            lock.unlock();
            deliveries.forEach(Runnable::run);
        }
    }
}
