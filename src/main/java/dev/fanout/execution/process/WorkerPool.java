package dev.fanout.execution.process;

import dev.fanout.spi.Durations;
import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.execution.backend.Attempt;
import dev.fanout.execution.backend.ChunkQueues;
import dev.fanout.protocol.Protocol;
import dev.fanout.protocol.Reply;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The workers' lives: starting them, their hello, their replies (handed to {@link Assignments}), their exit, and
 * the {@link RestartBreaker} that stops restarting workers that keep failing at start-up. Runs under the backend's
 * lock; the results it decides go through an {@link Outbox}, delivered after the lock is released.
 */
final class WorkerPool implements Worker.Events {
    private static final System.Logger LOG = System.getLogger(ProcessBackend.class.getName());

    private final ProcessPoolConfig config;
    private final Worker.Launcher launcher;
    private final Condition changed;
    private final ChunkQueues queues;
    private final Assignments assignments;
    private final ProcessBackend.PoolStats stats;
    private final BooleanSupplier closed;
    private final RestartBreaker breaker;
    private final Outbox outbox;
    /** Start timeouts and restart backoffs; its one thread ends with the pool. */
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("fanout-process-timers").factory());
    /** In start order, which is the order idle workers are given chunks. */
    private final Map<Worker, PooledWorker> members = new LinkedHashMap<>();
    private boolean retryPending;

    WorkerPool(ProcessPoolConfig config, Worker.Launcher launcher, ReentrantLock lock, Condition changed,
               ChunkQueues queues, Assignments assignments, ProcessBackend.PoolStats stats, BooleanSupplier closed) {
        this.config = config;
        this.launcher = launcher;
        this.changed = changed;
        this.queues = queues;
        this.assignments = assignments;
        this.stats = stats;
        this.closed = closed;
        this.outbox = new Outbox(lock);
        this.breaker = new RestartBreaker(config);
    }

    String unavailableReason() {
        return breaker.unavailableReason();
    }

    /** Starts the pool's workers. */
    void startAll() {
        outbox.locked(this::fillPool);
    }

    /** Under the lock: the first idle worker, or null. */
    PooledWorker idle() {
        for (PooledWorker w : members.values()) {
            if (w.state == PooledWorker.State.IDLE) {
                return w;
            }
        }
        return null;
    }

    /** Under the lock: the workers alive, in start order. */
    List<PooledWorker> members() {
        return List.copyOf(members.values());
    }

    // ---- what workers say ----

    @Override
    public void hello(Worker worker, Reply.Hello hello) {
        outbox.locked(() -> {
            PooledWorker w = members.get(worker);
            // a worker the pool is killing (no hello in time) stays DYING: its hello came too late
            if (w == null || w.state != PooledWorker.State.STARTING) {
                return;
            }
            if (!Protocol.serves(hello.protocol())) {
                // a worker of another release would misread chunks: a failed start, whose message names both versions
                w.kill("it said hello in protocol " + Protocol.of(hello.protocol()) + ": "
                        + Protocol.mismatch("this service", Protocol.VERSION, Protocol.of(hello.protocol())));
                return;
            }
            w.state = PooledWorker.State.IDLE;
            w.saidHello = true;
            if (breaker.succeeded()) {
                LOG.log(System.Logger.Level.INFO, "worker processes start again; backend available");
            }
            fillPool(); // workers that could not be started meanwhile
            changed.signal();
        });
    }

    @Override
    public void reply(Worker worker, Reply reply) {
        outbox.locked(() -> {
            PooledWorker w = members.get(worker);
            Attempt done = w == null ? null : assignments.replied(w, reply);
            if (done != null) {
                outbox.post(() -> done.complete(reply.result()));
            }
        });
    }

    @Override
    public void exited(Worker worker, String how) {
        outbox.locked(() -> {
            PooledWorker w = members.remove(worker);
            if (w != null) {
                gone(w, how);
            }
        });
    }

    /** Under the lock: a worker is gone. Its task is blamed or its chunk requeued; a replacement is started. */
    private void gone(PooledWorker w, String how) {
        PooledWorker.State was = w.state;
        boolean blamed = w.blamesItsTask();
        if (w.hasChunk()) {
            Attempt running = w.running();
            long ranMs = (System.nanoTime() - w.taskStartNanos) / 1_000_000;
            assignments.release(w);
            queues.requeueFirst(w.notBegun());
            w.chunkEnded(blamed ? "worker-crashed" : "worker-stopped", how);
            changed.signal();
            // when the pool killed it, its running attempt was stopped or cancelled: answered already, a no-op
            outbox.post(() -> running.complete(TaskResult.failed(running.task().id(),
                    blamed ? ErrorType.WORKER_CRASHED : ErrorType.BACKEND_ERROR, how, running.number(), w.label(),
                    null, ranMs)));
        }
        w.state = PooledWorker.State.DEAD;
        if (closed.getAsBoolean()) {
            LOG.log(System.Logger.Level.DEBUG, "worker stopped with the pool: " + how);
            return;
        }
        if (!w.saidHello) {
            startFailed(how);
        } else if (was != PooledWorker.State.RETIRING && blamed) {
            stats.crashes.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, how);
        }
        replace(how);
    }

    // ---- upkeep, under the lock ----

    private void startFailed(String how) {
        breaker.failed();
        stats.startFailures.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "worker failed at start-up: " + how);
    }

    /** A worker is missing: start one now, or, after a few start failures in a row, after a backoff. */
    private void replace(String lastFailure) {
        if (breaker.restartNow()) {
            startWorker();
            stats.restarts.incrementAndGet();
            return;
        }
        if (members.values().stream().noneMatch(m -> m.saidHello)) {
            markUnavailable(lastFailure);
        }
        scheduleRetry();
    }

    private void startWorker() {
        Worker worker;
        try {
            worker = launcher.start(this);
        } catch (IOException e) {
            String how = "cannot start " + config.command().getFirst() + ": " + e.getMessage();
            startFailed(how);
            replace(how); // at once a few times, then after a backoff: no unbounded recursion
            return;
        }
        PooledWorker w = new PooledWorker(worker);
        members.put(worker, w);
        timers.schedule(() -> outbox.locked(() -> {
            if (w.state == PooledWorker.State.STARTING) {
                w.kill("it did not say hello within " + Durations.format(config.startTimeout()));
            }
        }), config.startTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Starts workers until the pool is whole, or until starting them keeps failing: a worker that cannot be started
     * adds no member, so without the breaker this loop would never end; its scheduled retry takes over.
     */
    private void fillPool() {
        while (!closed.getAsBoolean() && members.size() < config.workers() && breaker.restartNow()) {
            startWorker();
        }
    }

    /** No worker works: the waiting attempts fail, and new ones are refused until a worker says hello. */
    private void markUnavailable(String lastFailure) {
        boolean already = breaker.unavailableReason() != null;
        breaker.unavailable(lastFailure);
        String reason = breaker.unavailableReason();
        LOG.log(already ? System.Logger.Level.DEBUG : System.Logger.Level.ERROR, reason);
        for (Attempt a : queues.drain()) {
            outbox.post(() -> a.fail(ErrorType.BACKEND_ERROR, reason, ProcessBackend.NAME));
        }
    }

    /**
     * One more worker after the backoff. One try at a time: its failure schedules the next, longer wait, and its
     * hello fills the pool. Every failure past the first few passes here, so the pool never stops trying.
     */
    private void scheduleRetry() {
        if (retryPending) {
            return;
        }
        retryPending = true;
        timers.schedule(() -> outbox.locked(() -> {
            retryPending = false;
            if (!closed.getAsBoolean() && members.size() < config.workers()) {
                startWorker();
            }
        }), breaker.retryDelayNanos(), TimeUnit.NANOSECONDS);
    }

    // ---- shutdown ----

    /** Once closed, outside the lock: asks every worker to exit, then kills what is left. */
    void shutDown() {
        List<Worker> all = new ArrayList<>();
        outbox.locked(() -> all.addAll(members.keySet()));
        all.forEach(Worker::closeStdin);
        try {
            CompletableFuture.allOf(all.stream().map(Worker::onExit).toArray(CompletableFuture[]::new))
                    .get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // a worker busy with a long task does not read its stdin: it is killed below
        }
        all.forEach(w -> w.kill("the pool is shutting down"));
        timers.shutdownNow();
    }
}
