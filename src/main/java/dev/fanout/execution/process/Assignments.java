package dev.fanout.execution.process;

import dev.fanout.execution.backend.ChunkTrace;
import dev.fanout.core.TaskState;
import dev.fanout.execution.backend.Attempt;
import dev.fanout.execution.backend.ChunkQueues;
import dev.fanout.execution.engine.EngineListener;
import dev.fanout.protocol.Reply;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;

/**
 * Which worker runs which attempt: the chunk each busy worker was sent and how far it got, reply by reply. A worker
 * runs the tasks of its chunk in order, so exactly one attempt per busy worker is running: the map from that attempt
 * to its worker is how a stopped attempt finds the worker to kill. Guarded by the pool's lock.
 */
final class Assignments {
    private final Map<Attempt, PooledWorker> running = new HashMap<>();
    private final ProcessPoolConfig config;
    private final ChunkQueues queues;
    private final Condition changed;
    private final ProcessBackend.PoolStats stats;

    Assignments(ProcessPoolConfig config, ChunkQueues queues, Condition changed, ProcessBackend.PoolStats stats) {
        this.config = config;
        this.queues = queues;
        this.changed = changed;
        this.stats = stats;
    }

    /** Hands a chunk to an idle worker; its first attempt has been started. */
    void assign(PooledWorker w, long chunkId, List<Attempt> chunk, ChunkTrace trace) {
        stats.chunks.incrementAndGet();
        w.state = PooledWorker.State.BUSY;
        w.chunk = chunk;
        w.chunkId = chunkId;
        w.next = 0;
        w.trace = trace;
        w.chunkSucceeded = 0;
        w.chunkFailed = 0;
        w.taskStartNanos = System.nanoTime();
        running.put(chunk.getFirst(), w);
    }

    /** The worker running {@code attempt} now, or null. */
    PooledWorker runningOn(Attempt attempt) {
        PooledWorker w = running.get(attempt);
        return w != null && w.state == PooledWorker.State.BUSY && w.running() == attempt ? w : null;
    }

    /**
     * A worker replied: answers the attempt the reply completes (the caller completes it outside the lock), and
     * starts the next one of the chunk. Null when the reply is not the one expected: the worker broke the protocol.
     */
    Attempt replied(PooledWorker w, Reply reply) {
        if (w.state == PooledWorker.State.DYING) {
            return null; // too late: the pool decided to kill it, and its chunk stays where the kill found it
        }
        if (w.state != PooledWorker.State.BUSY || reply.chunk() != w.chunkId || reply.index() != w.next) {
            w.killFaulty("it replied out of order (chunk " + reply.chunk() + ", task " + reply.index() + ")");
            return null;
        }
        long now = System.nanoTime();
        Attempt done = w.running();
        running.remove(done);
        queues.measured(done.batchId(), now - w.taskStartNanos);
        w.taskStartNanos = now;
        w.next++;
        w.tasksRun++;
        if (reply.result() != null && reply.result().state() == TaskState.SUCCEEDED) {
            w.chunkSucceeded++;
        } else {
            w.chunkFailed++;
        }
        stats.tasks.incrementAndGet();
        if (w.next == w.chunk.size()) {
            finishChunk(w);
        } else {
            running.put(w.running(), w);
            if (!w.running().start(w.label())) {
                // the worker has moved on to a task whose batch was cancelled: stop it, the rest is requeued
                w.kill("its next task was cancelled");
            }
        }
        return done;
    }

    private void finishChunk(PooledWorker w) {
        w.chunk = List.of();
        w.chunkEnded("answered", null);
        if (config.maxTasksPerWorker() > 0 && w.tasksRun >= config.maxTasksPerWorker()) {
            w.state = PooledWorker.State.RETIRING;
            w.worker.closeStdin();
        } else {
            w.state = PooledWorker.State.IDLE;
            changed.signal();
        }
    }

    /** The worker is gone: it runs nothing any more. */
    void release(PooledWorker w) {
        if (w.hasChunk()) {
            running.remove(w.running(), w);
        }
    }
}
