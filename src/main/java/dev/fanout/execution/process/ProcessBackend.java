package dev.fanout.execution.process;

import dev.fanout.core.ErrorType;
import dev.fanout.execution.backend.Attempt;
import dev.fanout.execution.backend.ChunkEncoder;
import dev.fanout.execution.backend.ChunkQueues;
import dev.fanout.execution.backend.ChunkingBackend;
import dev.fanout.protocol.Protocol;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU tasks on a pool of long-lived worker processes: ProcessPoolExecutor without its two worst flaws. A worker that
 * dies costs only the task it was running (WORKER_CRASHED, retried if the batch allows) and is replaced; a task that
 * overruns its timeout gets its worker killed; the rest of a dead worker's chunk is dispatched again. This class is
 * the dispatch; {@link WorkerPool} keeps the workers alive and {@link Assignments} knows who runs what.
 */
public final class ProcessBackend extends ChunkingBackend {
    private static final System.Logger LOG = System.getLogger(ProcessBackend.class.getName());
    public static final String NAME = "processes";

    private final ProcessPoolConfig config;
    private final PoolStats stats = new PoolStats();
    private final Assignments assignments;
    private final WorkerPool pool;
    private long chunkIds;

    public ProcessBackend(ProcessPoolConfig config) {
        this(config, events -> WorkerProcess.start(config.command(), config.environment(), events));
    }

    /** With workers from {@code launcher}: tests start fake ones. */
    ProcessBackend(ProcessPoolConfig config, Worker.Launcher launcher) {
        // about 50 ms of work per chunk: dispatch costs tens of microseconds, a worker restart a few hundred ms
        super(new ChunkQueues(50_000_000L, 1024), "fanout-process-dispatcher");
        this.config = config;
        this.assignments = new Assignments(config, queues, changed, stats);
        this.pool = new WorkerPool(config, launcher, lock, changed, queues, assignments, stats, () -> closed);
        pool.startAll();
        startDispatcher();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String unavailableReason() {
        return pool.unavailableReason();
    }

    @Override
    protected void queued(Attempt attempt) {
        attempt.onStop(reason -> stopped(attempt));
    }

    /**
     * An idle worker and a chunk for it, cut by count ({@link ChunkQueues}) then by bytes, as Lambda chunks are: no
     * frame may exceed {@code maxFrameBytes}, which a worker would refuse as corrupt. The frame is written here,
     * under the lock, because what does not fit must go back to the queue before anyone else cuts a chunk.
     */
    @Override
    protected Runnable nextSend() {
        PooledWorker worker;
        while (queues.size() > 0 && (worker = pool.idle()) != null) {
            int limit = config.maxTasksPerWorker() == 0 ? Integer.MAX_VALUE
                    : Math.max(1, config.maxTasksPerWorker() - worker.tasksRun);
            List<Attempt> chunk = queues.nextChunk(config.workers(), limit);
            if (chunk.isEmpty()) {
                continue;
            }
            try {
                Runnable send = sendChunk(worker, chunk);
                if (send != null) {
                    return send;
                }
            } catch (RuntimeException e) { // a bug met while cutting or starting it: the chunk fails, dispatch goes on
                LOG.log(System.Logger.Level.ERROR, "could not send a chunk to a worker process", e);
                String why = "could not send the task to a worker process: " + e;
                return () -> chunk.forEach(a -> a.fail(ErrorType.BACKEND_ERROR, why, NAME));
            }
        }
        return null;
    }

    /** Under the lock: sends (the head of) {@code chunk} to {@code worker}; null when it was cancelled just now. */
    private Runnable sendChunk(PooledWorker worker, List<Attempt> chunk) {
        long id = ++chunkIds;
        ChunkEncoder.Encoded frame = frame(id, chunk);
        int fits = frame.taskCount();
        if (fits == 0) {
            Attempt tooBig = chunk.getFirst();
            queues.requeueFirst(chunk.subList(1, chunk.size()));
            String why = "the task is " + ChunkEncoder.task(tooBig).length + " bytes in a worker frame; a frame"
                    + " takes at most " + config.maxFrameBytes() + " bytes";
            return () -> tooBig.fail(ErrorType.INVALID_INPUT, why, NAME);
        }
        queues.requeueFirst(chunk.subList(fits, chunk.size()));
        List<Attempt> sent = List.copyOf(chunk.subList(0, fits));
        if (!sent.getFirst().start(worker.label())) {
            queues.requeueFirst(sent.subList(1, fits)); // cancelled just now: cut again without it
            return null;
        }
        assignments.assign(worker, id, sent, chunkSent(sent));
        Worker w = worker.worker;
        return () -> w.send(frame.payload());
    }

    /** The {@link dev.fanout.protocol.Chunk} frame of the longest head of {@code attempts} that fits. */
    private ChunkEncoder.Encoded frame(long id, List<Attempt> attempts) {
        return ChunkEncoder.encode(attempts, config.maxFrameBytes(), "{\"chunk\":" + id + ",\"tasks\":[",
                "],\"protocol\":" + Protocol.VERSION + "}");
    }

    /** The engine stopped an attempt (timeout, cancel): if a worker is running it, the worker dies. */
    private void stopped(Attempt attempt) {
        lock.lock();
        try {
            PooledWorker w = assignments.runningOn(attempt);
            if (w != null) {
                stats.kills.incrementAndGet();
                w.kill("its task " + attempt.task().id() + " was stopped");
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- observability and shutdown ----

    /** Counters for metrics. */
    public PoolStats stats() {
        return stats;
    }

    @Override
    public Map<String, Object> details() {
        lock.lock();
        try {
            List<PooledWorker> members = pool.members();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("workers", config.workers());
            d.put("alive", members.size());
            d.put("idle", members.stream().filter(w -> w.state == PooledWorker.State.IDLE).count());
            d.put("busy", members.stream().filter(w -> w.state == PooledWorker.State.BUSY).count());
            d.put("starting", members.stream().filter(w -> w.state == PooledWorker.State.STARTING).count());
            d.put("queued", queues.size());
            d.put("pids", members.stream().map(w -> w.worker.pid()).toList());
            return d;
        } finally {
            lock.unlock();
        }
    }

    /** Tasks waiting for a worker (including ones stopped meanwhile and not yet skipped). */
    public long queueDepth() {
        lock.lock();
        try {
            return queues.size();
        } finally {
            lock.unlock();
        }
    }

    /** PIDs of the live workers. */
    public List<Long> pids() {
        lock.lock();
        try {
            return pool.members().stream().map(w -> w.worker.pid()).toList();
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected String closedReason() {
        return "the worker process pool is shut down";
    }

    /** Asks every worker to exit, then kills what is left: no worker outlives the pool. */
    @Override
    protected void closeResources() {
        pool.shutDown();
    }

    /** Counters of the pool's life. */
    public static final class PoolStats {
        public final AtomicLong tasks = new AtomicLong();
        public final AtomicLong chunks = new AtomicLong();
        public final AtomicLong crashes = new AtomicLong();
        public final AtomicLong restarts = new AtomicLong();
        public final AtomicLong kills = new AtomicLong();
        /** Workers that did not make it to their hello (could not be started, died, timed out, refused). */
        public final AtomicLong startFailures = new AtomicLong();
    }
}
