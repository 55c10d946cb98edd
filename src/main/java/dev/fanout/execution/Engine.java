package dev.fanout.execution;

import dev.fanout.core.Backoff;
import dev.fanout.core.TaskSpec;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.FunctionRegistry;
import dev.fanout.spi.TaskFunction;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Runs batches: the framework-free heart of fanout. Tasks must be validated before {@link #submit} (known
 * functions, unique ids, options in range); from there on every task gets exactly one result.
 */
public final class Engine implements AutoCloseable {
    private final FunctionRegistry functions;
    private final Map<String, Backend> backends;
    private final Backend ioBackend;
    private final Router router;
    private final EngineConfig config;
    private final Backoff retryBackoff;
    private final EngineListener listener;
    private final Semaphore ioPermits;
    private final ScheduledThreadPoolExecutor timer;
    private final Map<String, BatchRun> runs = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<Long, BatchRun> newestFirst =
            new ConcurrentSkipListMap<>(Comparator.reverseOrder());
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean shuttingDown;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final Map<String, Long> sequenceOf = new ConcurrentHashMap<>();

    /**
     * @param backends  by name; {@code ioBackend} runs IO functions, CPU functions go to the batch's cpuBackend
     * @param router    null for that default routing
     */
    public Engine(FunctionRegistry functions, Map<String, Backend> backends, String ioBackend, Router router,
                  EngineConfig config, EngineListener listener) {
        this.functions = functions;
        this.backends = Map.copyOf(backends);
        this.ioBackend = backends.get(ioBackend);
        if (this.ioBackend == null) {
            throw new IllegalArgumentException("no backend named '" + ioBackend + "' among " + backends.keySet());
        }
        this.router = router != null ? router : this::defaultRoute;
        this.config = config;
        this.retryBackoff = new Backoff(config.retryBackoff(), config.maxRetryBackoff());
        this.listener = listener;
        this.ioPermits = new Semaphore(config.ioMaxConcurrency());
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "fanout-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        long sweep = Math.max(1, Math.min(60, config.retention().toSeconds() / 4));
        timer.scheduleWithFixedDelay(() -> expire(Instant.now()), sweep, sweep, TimeUnit.SECONDS);
    }

    /**
     * Starts a batch. The tasks are run in input order, as far as the batch's maxConcurrency allows.
     *
     * @throws BackendUnavailableException when a backend the batch needs cannot take work: refused whole, at once
     */
    public Batch submit(List<TaskSpec> tasks, BatchOptions options) {
        // held from the check to the registration: shutdown's list of running batches then has every one it let in
        lifecycle.readLock().lock();
        try {
            if (shuttingDown) {
                throw new ShuttingDownException();
            }
            return register(tasks, options);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private Batch register(List<TaskSpec> tasks, BatchOptions options) {
        Set<Backend> needed = Collections.newSetFromMap(new IdentityHashMap<>());
        for (TaskSpec task : tasks) {
            needed.add(backend(task, options));
        }
        for (Backend b : needed) {
            if (b.unavailableReason() != null) {
                throw new BackendUnavailableException(b.name(), b.unavailableReason());
            }
        }
        if (running.incrementAndGet() > config.maxRunningBatches()) {
            running.decrementAndGet();
            throw new TooManyBatchesException(config.maxRunningBatches());
        }
        Batch batch = new Batch(UUID.randomUUID().toString(), tasks, options);
        batch.done().whenComplete((status, error) -> {
            running.decrementAndGet();
            expire(Instant.now());
        });
        BatchRun run = new BatchRun(this, batch);
        long seq = sequence.incrementAndGet();
        runs.put(batch.id(), run);
        sequenceOf.put(batch.id(), seq);
        newestFirst.put(seq, run);
        run.start();
        return batch;
    }

    /** The run of a batch still known, for tests of this package. */
    BatchRun runOf(String id) {
        return runs.get(id);
    }

    public Optional<Batch> find(String id) {
        return Optional.ofNullable(runs.get(id)).map(BatchRun::batch);
    }

    /** Newest first. */
    public List<Batch> list(int offset, int limit) {
        return newestFirst.values().stream().skip(offset).limit(limit).map(BatchRun::batch).toList();
    }

    public int batchCount() {
        return runs.size();
    }

    public long runningBatchCount() {
        return running.get();
    }

    /** Cancels a batch: pending tasks become CANCELLED, running ones are stopped. No-op on a finished batch. */
    public Optional<Batch> cancel(String id) {
        BatchRun run = runs.get(id);
        if (run == null) {
            return Optional.empty();
        }
        run.cancel(true);
        return Optional.of(run.batch());
    }

    /**
     * Drops finished batches older than the retention, and the oldest ones beyond the retained maximum of batches, of
     * tasks or of result bytes. Running batches always stay.
     */
    void expire(Instant now) {
        Instant cutoff = now.minus(config.retention());
        int kept = 0;
        long keptTasks = 0;
        long keptBytes = 0;
        for (BatchRun run : new ArrayList<>(newestFirst.values())) {
            Batch b = run.batch();
            if (!b.isFinished()) {
                continue;
            }
            keptTasks += b.total();
            keptBytes += b.resultBytes();
            if (b.status().finishedAt().isBefore(cutoff) || ++kept > config.maxRetainedBatches()
                    || keptTasks > config.maxRetainedTasks() || keptBytes > config.maxRetainedBytes()) {
                forget(b.id());
            }
        }
    }

    /**
     * The first half of a graceful stop: no new batch is taken, running ones get up to {@code grace} to finish, then
     * their remaining tasks are cancelled with a result saying so. Answers how many batches had to be cancelled.
     */
    public int shutdown(Duration grace) {
        List<BatchRun> active;
        lifecycle.writeLock().lock();
        try {
            shuttingDown = true;
            active = runs.values().stream().filter(r -> !r.batch().isFinished()).toList();
        } finally {
            lifecycle.writeLock().unlock();
        }
        CompletableFuture<?> all = CompletableFuture.allOf(
                active.stream().map(r -> r.batch().done()).toArray(CompletableFuture[]::new));
        try {
            all.get(grace.toMillis(), TimeUnit.MILLISECONDS);
            return 0;
        } catch (TimeoutException e) {
            int cancelled = 0;
            for (BatchRun r : active) {
                if (!r.batch().isFinished()) {
                    r.shutDown();
                    cancelled++;
                }
            }
            return cancelled;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a batch never completes exceptionally", e);
        }
    }


    private void forget(String id) {
        runs.remove(id);
        Long seq = sequenceOf.remove(id);
        if (seq != null) {
            newestFirst.remove(seq);
        }
    }

    public Map<String, Backend> backends() {
        return backends;
    }

    public FunctionRegistry functions() {
        return functions;
    }

    /** Cancels what is running and stops every backend. */
    @Override
    public void close() {
        for (BatchRun run : runs.values()) {
            run.cancel(true);
        }
        timer.shutdownNow();
        for (Backend b : backends.values()) {
            b.close();
        }
    }

    // ---- for BatchRun ----

    TaskFunction function(TaskSpec task) {
        return functions.find(task.function())
                .orElseThrow(() -> new IllegalStateException("unvalidated task with unknown function " + task.function()));
    }

    Backend backend(TaskSpec task, BatchOptions options) {
        return router.route(function(task), options);
    }

    private Backend defaultRoute(TaskFunction function, BatchOptions options) {
        if (function.kind() == FunctionKind.IO) {
            return ioBackend;
        }
        Backend b = backends.get(options.cpuBackend());
        if (b == null) {
            throw new IllegalStateException("no backend named '" + options.cpuBackend() + "'");
        }
        return b;
    }

    Semaphore ioPermits() {
        return ioPermits;
    }

    EngineConfig config() {
        return config;
    }

    Backoff retryBackoff() {
        return retryBackoff;
    }

    EngineListener listener() {
        return listener;
    }

    /** Runs {@code action} later on a virtual thread, so that a slow action (a big cancel) never delays other timers. */
    ScheduledFuture<?> schedule(Runnable action, long delay, TimeUnit unit) {
        return timer.schedule(() -> Thread.ofVirtual().name("fanout-timer-action").start(action), delay, unit);
    }
}
