package dev.fanout.runner;

import dev.fanout.core.Durations;
import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.TaskFunction;
import dev.fanout.protocol.WireTask;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Runs a whole chunk at once where nobody outside can stop a task (a Lambda invocation): IO tasks each on a virtual
 * thread, CPU tasks on as many platform threads as there are cores, every task under its own timeout counted from
 * when it really starts, and the whole chunk under the invocation's deadline. A task that overruns is interrupted
 * and reported TIMEOUT; the chunk's answer never waits for it.
 */
public final class ChunkRunner {
    private final TaskRunner runner;
    private final int cpuThreads;
    private final List<Thread> runaways = new ArrayList<>();

    public ChunkRunner(TaskRunner runner, int cpuThreads) {
        this.runner = runner;
        this.cpuThreads = cpuThreads;
    }

    /**
     * @param deadline when the answer must be ready (the invocation's own limit, less a margin)
     * @return one result per task, in task order
     */
    public List<TaskResult> run(List<WireTask> tasks, Duration taskTimeout, Instant deadline, String backend)
            throws InterruptedException {
        AtomicReferenceArray<TaskResult> results = new AtomicReferenceArray<>(tasks.size());
        CountDownLatch done = new CountDownLatch(tasks.size());
        List<Thread> running = new ArrayList<>();
        // not closed with try-with-resources: close() waits for every task, and a task that ignores its interrupt
        // must not hold the answer back
        ExecutorService cpu = Executors.newFixedThreadPool(cpuThreads, Thread.ofPlatform().daemon().factory());
        ExecutorService io = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().factory());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().factory());
        try {
            for (int i = 0; i < tasks.size(); i++) {
                int index = i;
                WireTask task = tasks.get(i);
                (isCpu(task) ? cpu : io).execute(() -> {
                    Thread self = Thread.currentThread();
                    synchronized (running) {
                        running.add(self);
                    }
                    Instant started = Instant.now();
                    var timeout = timer.schedule(() -> {
                        if (results.compareAndSet(index, null, TaskResult.failed(task.id(), ErrorType.TIMEOUT,
                                "exceeded taskTimeout of " + Durations.format(taskTimeout), attempt(task), backend,
                                started, taskTimeout.toMillis()))) {
                            self.interrupt();
                            done.countDown();
                        }
                    }, taskTimeout.toNanos(), TimeUnit.NANOSECONDS);
                    TaskResult r = runner.run(task.spec(), attempt(task), backend);
                    timeout.cancel(false);
                    synchronized (running) {
                        running.remove(self);
                        Thread.interrupted(); // an interrupt that came too late must not reach this pool thread's next task
                    }
                    if (results.compareAndSet(index, null, r)) {
                        done.countDown();
                    }
                });
            }
            long wait = Duration.between(Instant.now(), deadline).toNanos();
            if (!done.await(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
                for (int i = 0; i < tasks.size(); i++) {
                    results.compareAndSet(i, null, TaskResult.failed(tasks.get(i).id(), ErrorType.TIMEOUT,
                            "the Lambda invocation ran out of time before the task finished", attempt(tasks.get(i)),
                            backend, null, 0));
                }
            }
        } finally {
            synchronized (running) {
                running.forEach(Thread::interrupt);
                runaways.addAll(running);
            }
            cpu.shutdownNow();
            io.shutdownNow();
            timer.shutdownNow();
        }
        List<TaskResult> list = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            list.add(results.get(i));
        }
        return list;
    }

    private boolean isCpu(WireTask task) {
        return runner.registry().find(task.function()).map(TaskFunction::kind).orElse(FunctionKind.CPU)
                == FunctionKind.CPU;
    }

    /**
     * Threads of earlier chunks that ignored their interrupt and still run. A sandbox with runaways is not fit for the
     * next chunk: they would steal its CPU.
     */
    public boolean hasRunaways() {
        runaways.removeIf(t -> !t.isAlive());
        return !runaways.isEmpty();
    }

    private static int attempt(WireTask task) {
        return Math.max(1, task.attempt());
    }
}
