package dev.fanout.execution.process;

import dev.fanout.core.Durations;
import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.execution.Attempt;
import dev.fanout.execution.ChunkQueues;
import dev.fanout.execution.ChunkingBackend;
import dev.fanout.protocol.Chunk;
import dev.fanout.protocol.Reply;
import dev.fanout.protocol.WireTask;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU tasks on a pool of long-lived worker processes: ProcessPoolExecutor without its two worst flaws. A worker that
 * dies costs only the task it was running (WORKER_CRASHED, retried if the batch allows) and is replaced; a task that
 * overruns its timeout gets its worker killed; the rest of a dead worker's chunk is dispatched again.
 *
 * <pre>
 *  submit -> ChunkQueues (per batch, round-robin) -> dispatcher thread -> chunk frame -> worker stdin
 *  worker stdout -> reply per task -> Attempt.complete; next task of the chunk starts (its timeout clock too)
 *  worker exit  -> running task WORKER_CRASHED, rest requeued first, replacement started
 *                  (MAX_START_FAILURES deaths before hello in a row: backend unavailable, retried after a backoff)
 * </pre>
 */
public final class ProcessBackend extends ChunkingBackend implements WorkerProcess.Events {
    public static final String NAME = "processes";
    private static final System.Logger LOG = System.getLogger(ProcessBackend.class.getName());

    private final ProcessPoolConfig config;
    private final List<WorkerProcess> workers = new ArrayList<>();
    private final AtomicLong chunkIds = new AtomicLong();
    private final PoolStats stats = new PoolStats();
    private int startFailures;
    private volatile String unavailable;

    public ProcessBackend(ProcessPoolConfig config) {
        // about 50 ms of work per chunk: dispatch costs tens of microseconds, a worker restart a few hundred ms
        super(new ChunkQueues(50_000_000L, 1024), "fanout-process-dispatcher");
        this.config = config;
        lock.lock();
        try {
            for (int i = 0; i < config.workers(); i++) {
                startWorker();
            }
        } finally {
            lock.unlock();
        }
        startDispatcher();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String unavailableReason() {
        return unavailable;
    }

    @Override
    protected void queued(Attempt attempt) {
        attempt.onStop(reason -> stopped(attempt));
    }

    // ---- dispatch ----

    @Override
    protected Runnable nextSend() {
        WorkerProcess worker;
        while (queues.size() > 0 && (worker = idleWorker()) != null) {
            int limit = config.maxTasksPerWorker() == 0 ? Integer.MAX_VALUE
                    : Math.max(1, config.maxTasksPerWorker() - worker.tasksRun);
            List<Attempt> chunk = queues.nextChunk(config.workers(), limit);
            while (!chunk.isEmpty() && !chunk.getFirst().start(worker.label)) {
                chunk.removeFirst(); // cancelled just now
            }
            if (chunk.isEmpty()) {
                continue;
            }
            long id = chunkIds.incrementAndGet();
            stats.chunks.incrementAndGet();
            worker.state = WorkerProcess.State.BUSY;
            worker.chunk = chunk;
            worker.chunkId = id;
            worker.next = 0;
            worker.taskStartNanos = System.nanoTime();
            WorkerProcess w = worker;
            return () -> {
                List<WireTask> tasks = new ArrayList<>(chunk.size());
                for (Attempt a : chunk) {
                    tasks.add(WireTask.of(a.task(), a.number()));
                }
                w.send(new Chunk(id, tasks));
            };
        }
        return null;
    }

    private WorkerProcess idleWorker() {
        for (WorkerProcess w : workers) {
            if (w.state == WorkerProcess.State.IDLE) {
                return w;
            }
        }
        return null;
    }

    // ---- what workers say ----

    @Override
    public void hello(WorkerProcess worker) {
        lock.lock();
        try {
            if (worker.state == WorkerProcess.State.STARTING) {
                worker.state = WorkerProcess.State.IDLE;
                startFailures = 0;
                if (unavailable != null) {
                    LOG.log(System.Logger.Level.INFO, "worker processes start again; backend available");
                    unavailable = null;
                    fillPool();
                }
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void reply(WorkerProcess worker, Reply reply) {
        Attempt done;
        lock.lock();
        try {
            if (worker.state != WorkerProcess.State.BUSY || reply.chunk() != worker.chunkId
                    || reply.index() != worker.next) {
                worker.kill("it replied out of order (chunk " + reply.chunk() + ", task " + reply.index() + ")");
                return;
            }
            long now = System.nanoTime();
            done = worker.chunk.get(worker.next);
            queues.measured(done.batchId(), now - worker.taskStartNanos);
            worker.taskStartNanos = now;
            worker.next++;
            worker.tasksRun++;
            stats.tasks.incrementAndGet();
            if (worker.next == worker.chunk.size()) {
                finishChunk(worker);
            } else if (!worker.chunk.get(worker.next).start(worker.label)) {
                // the worker has moved on to a task whose batch was cancelled: stop it, the rest is requeued
                worker.kill("its next task was cancelled");
            }
        } finally {
            lock.unlock();
        }
        done.complete(reply.result());
    }

    private void finishChunk(WorkerProcess worker) {
        worker.chunk = List.of();
        if (config.maxTasksPerWorker() > 0 && worker.tasksRun >= config.maxTasksPerWorker()) {
            worker.state = WorkerProcess.State.RETIRING;
            worker.closeStdin();
        } else {
            worker.state = WorkerProcess.State.IDLE;
            changed.signal();
        }
    }

    /** The engine stopped an attempt (timeout, cancel): if a worker is running it, the worker dies. */
    private void stopped(Attempt attempt) {
        lock.lock();
        try {
            for (WorkerProcess w : workers) {
                if (w.state == WorkerProcess.State.BUSY && w.next < w.chunk.size() && w.chunk.get(w.next) == attempt) {
                    stats.kills.incrementAndGet();
                    w.kill("its task " + attempt.task().id() + " was stopped");
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void exited(WorkerProcess worker, String exit) {
        String how = worker.killedBecause != null
                ? "worker process " + worker.pid + " was killed: " + worker.killedBecause : exit;
        Attempt running = null;
        List<Attempt> failed = List.of();
        lock.lock();
        try {
            WorkerProcess.State was = worker.state;
            worker.state = WorkerProcess.State.DEAD;
            workers.remove(worker);
            if (was == WorkerProcess.State.BUSY) {
                running = worker.chunk.get(worker.next);
                queues.requeueFirst(worker.chunk.subList(worker.next + 1, worker.chunk.size()));
                changed.signal();
            }
            if (closed) {
                LOG.log(System.Logger.Level.DEBUG, "worker stopped with the pool: " + how);
            } else if (was == WorkerProcess.State.STARTING) {
                startFailures++;
                LOG.log(System.Logger.Level.WARNING, "worker failed at start-up: " + how);
            } else if (was != WorkerProcess.State.RETIRING && worker.killedBecause == null) {
                stats.crashes.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, how);
            }
            if (!closed && unavailable == null) {
                if (startFailures < ProcessPoolConfig.MAX_START_FAILURES) {
                    startWorker();
                    stats.restarts.incrementAndGet();
                } else if (workers.stream().anyMatch(w -> w.state != WorkerProcess.State.STARTING)) {
                    // others still work: no reason to refuse tasks, but no tight restart loop either
                    retryLater();
                } else {
                    failed = markUnavailable(how);
                }
            }
        } finally {
            lock.unlock();
        }
        if (running != null) {
            running.complete(TaskResult.failed(running.task().id(), ErrorType.WORKER_CRASHED, how,
                    running.number(), worker.label, null, (System.nanoTime() - worker.taskStartNanos) / 1_000_000));
        }
        for (Attempt a : failed) {
            a.fail(ErrorType.BACKEND_ERROR, unavailable, NAME);
        }
    }

    // ---- pool upkeep, under the lock ----

    private void startWorker() {
        try {
            WorkerProcess w = WorkerProcess.start(config.command(), config.environment(), this);
            workers.add(w);
            CompletableFuture.delayedExecutor(config.startTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .execute(() -> {
                        lock.lock();
                        try {
                            if (w.state == WorkerProcess.State.STARTING) {
                                w.kill("it did not say hello within " + Durations.format(config.startTimeout()));
                            }
                        } finally {
                            lock.unlock();
                        }
                    });
        } catch (IOException e) {
            startFailures++;
            LOG.log(System.Logger.Level.ERROR, "cannot start a worker process " + config.command() + ": " + e);
            if (startFailures >= ProcessPoolConfig.MAX_START_FAILURES) {
                markUnavailable("cannot start " + config.command().getFirst() + ": " + e.getMessage());
            } else {
                startWorker();
            }
        }
    }

    private void fillPool() {
        while (workers.size() < config.workers()) {
            startWorker();
        }
    }

    /** Stops the start-up loop: answers the waiting attempts (to fail), and tries again after the backoff. */
    private List<Attempt> markUnavailable(String lastFailure) {
        unavailable = "worker processes keep failing at start-up (" + startFailures + " times in a row); last: "
                + lastFailure;
        LOG.log(System.Logger.Level.ERROR, unavailable);
        retryLater();
        return queues.drain();
    }

    /** After the backoff, tries one more worker; one more failure at start-up and the pool waits again. */
    private void retryLater() {
        CompletableFuture.delayedExecutor(config.restartBackoff().toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            lock.lock();
            try {
                if (!closed && workers.size() < config.workers()) {
                    startFailures = ProcessPoolConfig.MAX_START_FAILURES - 1;
                    startWorker();
                }
            } finally {
                lock.unlock();
            }
        });
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
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("workers", config.workers());
            d.put("alive", workers.size());
            d.put("busy", workers.stream().filter(w -> w.state == WorkerProcess.State.BUSY).count());
            d.put("starting", workers.stream().filter(w -> w.state == WorkerProcess.State.STARTING).count());
            d.put("queued", queues.size());
            d.put("pids", workers.stream().map(w -> w.pid).toList());
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
            return workers.stream().map(w -> w.pid).toList();
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
        List<WorkerProcess> all;
        lock.lock();
        try {
            all = new ArrayList<>(workers);
        } finally {
            lock.unlock();
        }
        all.forEach(WorkerProcess::closeStdin);
        try {
            CompletableFuture.allOf(all.stream().map(WorkerProcess::onExit).toArray(CompletableFuture[]::new))
                    .get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // a worker busy with a long task does not read its stdin: it is killed below
        }
        all.forEach(w -> w.kill("the pool is shutting down"));
    }

    /** Counters of the pool's life. */
    public static final class PoolStats {
        public final AtomicLong tasks = new AtomicLong();
        public final AtomicLong chunks = new AtomicLong();
        public final AtomicLong crashes = new AtomicLong();
        public final AtomicLong restarts = new AtomicLong();
        public final AtomicLong kills = new AtomicLong();
    }
}
