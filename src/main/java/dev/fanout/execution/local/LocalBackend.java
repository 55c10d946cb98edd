package dev.fanout.execution.local;

import dev.fanout.core.TaskResult;
import dev.fanout.execution.backend.Attempt;
import dev.fanout.execution.backend.Backend;
import dev.fanout.runner.InterruptGuard;
import dev.fanout.runner.TaskRunner;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Runs attempts on threads of this process: one virtual thread per attempt for IO tasks, or a fixed pool of platform
 * threads sized to the cores (the in-process CPU backend, {@code threads}). Stopping an attempt interrupts its thread.
 */
public final class LocalBackend implements Backend {
    public static final String VIRTUAL_THREADS = "virtual-threads";
    public static final String THREADS = "threads";

    private final String name;
    private final String label;
    private final ExecutorService executor;
    private final TaskRunner runner;

    private LocalBackend(String name, String label, ExecutorService executor, TaskRunner runner) {
        this.name = name;
        this.label = label;
        this.executor = executor;
        this.runner = runner;
    }

    /** One new virtual thread per attempt; results say {@code backend: "virtual-thread"}. */
    public static LocalBackend virtualThreads(TaskRunner runner) {
        ThreadFactory factory = Thread.ofVirtual().factory(); // unnamed: a name per task costs a string per task
        return new LocalBackend(VIRTUAL_THREADS, "virtual-thread", Executors.newThreadPerTaskExecutor(factory), runner);
    }

    /** A fixed pool of daemon platform threads; results say {@code backend: "thread-pool"}. */
    public static LocalBackend threadPool(int threads, TaskRunner runner) {
        ThreadFactory factory = Thread.ofPlatform().name("fanout-cpu-", 0).daemon().factory();
        return new LocalBackend(THREADS, "thread-pool", Executors.newFixedThreadPool(threads, factory), runner);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void submit(Attempt attempt) {
        executor.execute(() -> run(attempt));
    }

    private void run(Attempt attempt) {
        InterruptGuard guard = new InterruptGuard();
        try {
            if (!attempt.start(label)) {
                return;
            }
            attempt.onStop(reason -> guard.interrupt());
            TaskResult result = runner.run(attempt.task(), attempt.number(), label);
            guard.disarm();
            attempt.complete(result);
        } finally {
            guard.disarm();
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
