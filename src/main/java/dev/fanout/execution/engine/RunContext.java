package dev.fanout.execution.engine;

import dev.fanout.core.Backoff;
import dev.fanout.core.TaskSpec;
import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.spi.TaskFunction;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * What every run of a batch in this engine shares: where its tasks go ({@link Routes}), the IO permits
 * ({@code fanout.io.max-concurrency} across all batches), the retry backoff, the engine's listener, and one timer
 * whose actions run on virtual threads, so that a slow action (a big cancel) never delays the others.
 */
final class RunContext implements AutoCloseable {
    private final Routes routes;
    private final Semaphore ioPermits;
    private final Backoff retryBackoff;
    private final EngineListener listener;
    private final ScheduledThreadPoolExecutor timer;

    RunContext(Routes routes, EngineConfig config, EngineListener listener) {
        this.routes = routes;
        this.ioPermits = new Semaphore(config.ioMaxConcurrency());
        this.retryBackoff = new Backoff(config.retryBackoff(), config.maxRetryBackoff());
        this.listener = listener;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "fanout-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    TaskFunction function(TaskSpec task) {
        return routes.function(task);
    }

    Backend backend(TaskSpec task, BatchOptions options) {
        return routes.backend(task, options);
    }

    Semaphore ioPermits() {
        return ioPermits;
    }

    Backoff retryBackoff() {
        return retryBackoff;
    }

    EngineListener listener() {
        return listener;
    }

    /** Runs {@code action} once, later, on a virtual thread. */
    ScheduledFuture<?> schedule(Runnable action, long delay, TimeUnit unit) {
        return timer.schedule(() -> spawn(action), delay, unit);
    }

    /** Runs {@code action} every {@code period}, each time on a virtual thread. */
    void every(Duration period, Runnable action) {
        timer.scheduleWithFixedDelay(() -> spawn(action), period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void spawn(Runnable action) {
        Thread.ofVirtual().name("fanout-timer-action").start(action);
    }

    /** Stops the timer; what it would still have run is dropped. */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
