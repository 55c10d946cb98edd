package dev.fanout.runner;

/**
 * Interrupts a thread only while it still runs the task it was armed for. A pooled thread that moved on to another
 * task must not receive a late interrupt meant for the previous one (it would end that task CANCELLED or TIMEOUT):
 * the stopper calls {@link #interrupt()} from another thread at any time, the task's thread calls {@link #disarm()}
 * when the task returns, and the lock orders the two.
 */
public final class InterruptGuard {
    private Thread thread;

    /** Armed for the calling thread. */
    public InterruptGuard() {
        this.thread = Thread.currentThread();
    }

    /** Interrupts the task's thread, unless the task has returned. */
    public synchronized void interrupt() {
        if (thread != null) {
            thread.interrupt();
        }
    }

    /**
     * The task has returned: later {@link #interrupt()} calls do nothing, and an interrupt that arrived after the task
     * returned (but before this call) is cleared, so it cannot reach the thread's next task. Idempotent.
     */
    public synchronized void disarm() {
        if (thread != null) {
            thread = null;
            Thread.interrupted();
        }
    }
}
