package dev.fanout.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The clocks of items that all have the same timeout (the attempts of one batch, the tasks of one chunk): since their
 * deadlines come in the order they start, a FIFO list holds them and one timer, set for the head's deadline, expires
 * what is overdue. Adding and removing are O(1): an item that ends in time leaves the list at once, so a long task at
 * the head keeps nothing else alive (one timer per item cost a heap insert and a heap removal each: a tenth of the CPU
 * of a 100,000-task batch).
 *
 * <p>A deadline is taken under the lock, so the list is in deadline order whatever threads add: a deadline computed
 * outside it could land behind a later one and fire late.
 */
public final class TimeoutQueue<T> {
    /** Runs an action after a delay; the answer cancels it. */
    public interface Scheduler {
        Future<?> schedule(Runnable action, long delayNanos);
    }

    /** One item's clock; {@link #cancel()} when the item ends in time. */
    public final class Clock {
        private final T item;
        private final long deadline;
        private Clock prev;
        private Clock next;
        private boolean linked;

        private Clock(T item, long deadline) {
            this.item = item;
            this.deadline = deadline;
        }

        /** Stops this clock; harmless when it already expired or was cancelled. */
        public void cancel() {
            synchronized (TimeoutQueue.this) {
                unlink(this);
            }
        }
    }

    private final long timeoutNanos;
    private final Scheduler scheduler;
    private final Consumer<T> onExpired;
    private Clock head; // guarded by this
    private Clock tail; // guarded by this
    private int size; // guarded by this
    private Future<?> timer; // guarded by this; set while a sweep is scheduled
    private boolean closed; // guarded by this

    /** @param onExpired called, outside the lock, for each item whose clock ran out */
    public TimeoutQueue(long timeoutNanos, Scheduler scheduler, Consumer<T> onExpired) {
        this.timeoutNanos = timeoutNanos;
        this.scheduler = scheduler;
        this.onExpired = onExpired;
    }

    /** Starts the clock of an item that starts now. */
    public synchronized Clock add(T item) {
        Clock c = new Clock(item, System.nanoTime() + timeoutNanos);
        if (closed) {
            return c; // never linked: cancel() is a no-op, nothing fires
        }
        c.prev = tail;
        if (tail == null) {
            head = c;
        } else {
            tail.next = c;
        }
        tail = c;
        c.linked = true;
        size++;
        if (timer == null) {
            timer = scheduler.schedule(this::sweep, timeoutNanos);
        }
        return c;
    }

    /** Clocks running. */
    public synchronized int size() {
        return size;
    }

    private void sweep() {
        List<T> overdue = new ArrayList<>();
        synchronized (this) {
            long now = System.nanoTime();
            while (head != null && head.deadline - now <= 0) {
                overdue.add(head.item);
                unlink(head);
            }
            timer = head == null || closed ? null : scheduler.schedule(this::sweep, head.deadline - now);
        }
        overdue.forEach(onExpired); // outside the lock: expiring calls back into whoever owns the items
    }

    private void unlink(Clock c) {
        if (!c.linked) {
            return;
        }
        c.linked = false;
        if (c.prev == null) {
            head = c.next;
        } else {
            c.prev.next = c.next;
        }
        if (c.next == null) {
            tail = c.prev;
        } else {
            c.next.prev = c.prev;
        }
        c.prev = null;
        c.next = null;
        size--;
    }

    /** Forgets every clock and the timer: nothing fires any more, and nothing is kept reachable. */
    public synchronized void close() {
        closed = true;
        while (head != null) {
            unlink(head);
        }
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
