package dev.fanout.execution.process;

import dev.fanout.execution.backend.ChunkTrace;
import dev.fanout.execution.backend.Attempt;
import dev.fanout.execution.engine.EngineListener;

import java.util.List;

/** The pool's bookkeeping of one worker, guarded by the pool's lock. */
final class PooledWorker {

    /**
     * DYING: the pool is killing it and it must accept nothing more: a reply or a hello already on its way when the
     * kill was decided would otherwise move its chunk on to a task that then takes the blame for the kill, or make a
     * worker about to die idle and be sent a chunk.
     */
    enum State { STARTING, IDLE, BUSY, RETIRING, DYING, DEAD }

    final Worker worker;
    State state = State.STARTING;
    boolean saidHello;
    /** Killed by the pool for its own misconduct (a reply out of order): then its running task is to blame. */
    private boolean faulty;
    /** The chunk it was sent; empty when it has none. */
    List<Attempt> chunk = List.of();
    long chunkId;
    /** Index in {@link #chunk} of the task the worker is running: the first one without a reply. */
    int next;
    long taskStartNanos;
    int tasksRun;
    /** Its chunk for the engine's listener (traces), and the chunk's replies so far. */
    ChunkTrace trace = ChunkTrace.NONE;
    int chunkSucceeded;
    int chunkFailed;

    PooledWorker(Worker worker) {
        this.worker = worker;
    }

    String label() {
        return worker.label();
    }

    /**
     * The pool decided this worker must go for a reason of its own: a task stopped (timeout, cancel), a next task
     * cancelled, no hello in time. Its running task is not to blame; the rest of its chunk is requeued.
     */
    void kill(String because) {
        state = State.DYING;
        worker.kill(because);
    }

    /** The pool kills it because the worker itself misbehaved: its running task is to blame, as for a crash. */
    void killFaulty(String because) {
        faulty = true;
        kill(because);
    }

    /** Whether the task it runs is to blame for its end (it crashed, or broke the protocol). */
    boolean blamesItsTask() {
        return state != State.DYING || faulty;
    }

    boolean hasChunk() {
        return !chunk.isEmpty();
    }

    /** The attempt it is running; only while it has a chunk. */
    Attempt running() {
        return chunk.get(next);
    }

    /** Its chunk is over: every task answered, or the worker is gone ({@code why}). */
    void chunkEnded(String outcome, String why) {
        ChunkTrace t = trace;
        trace = ChunkTrace.NONE;
        t.ended(outcome, chunkSucceeded, chunkFailed, why);
    }

    /** The attempts of its chunk after the running one: sent but not begun. */
    List<Attempt> notBegun() {
        return chunk.subList(next + 1, chunk.size());
    }
}
