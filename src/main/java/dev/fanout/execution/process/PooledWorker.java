package dev.fanout.execution.process;

import dev.fanout.execution.Attempt;

import java.util.List;

/** The pool's bookkeeping of one worker, guarded by the pool's lock. */
final class PooledWorker {

    enum State { STARTING, IDLE, BUSY, RETIRING, DEAD }

    final Worker worker;
    State state = State.STARTING;
    /** The chunk it was sent; empty unless BUSY. */
    List<Attempt> chunk = List.of();
    long chunkId;
    /** Index in {@link #chunk} of the task the worker is running: the first one without a reply. */
    int next;
    long taskStartNanos;
    int tasksRun;

    PooledWorker(Worker worker) {
        this.worker = worker;
    }

    String label() {
        return worker.label();
    }

    /** The attempt it is running; only while BUSY. */
    Attempt running() {
        return chunk.get(next);
    }

    /** The attempts of its chunk after the running one: sent but not begun. */
    List<Attempt> notBegun() {
        return chunk.subList(next + 1, chunk.size());
    }
}
