package dev.fanout.runner;

import dev.fanout.spi.Durations;
import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.protocol.WireTask;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.TaskFunction;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 *
 * <pre>
 *  task -> cpu pool | virtual thread: guard armed, clock started -> TaskRunner -> clock stopped, guard disarmed
 *  clock runs out -> TIMEOUT result (first result wins) -> guard.interrupt(): reaches the task, never the next one
 *  chunk deadline -> every task without a result TIMEOUT, running ones interrupted (runaways remembered)
 * </pre>
 */
public final class ChunkRunner {
    private final TaskRunner runner;
    private final int cpuThreads;
    private final List<Thread> runaways = new ArrayList<>();

    public ChunkRunner(TaskRunner runner, int cpuThreads) {
        this.runner = runner;
        this.cpuThreads = cpuThreads;
    }

    /** One task of the chunk while it runs: what its timeout needs to report and stop it. */
    private record Running(int index, WireTask task, Instant started, InterruptGuard guard) {
    }

    /**
     * @param deadline when the answer must be ready (the invocation's own limit, less a margin)
     * @return one result per task, in task order
     */
    public List<TaskResult> run(List<WireTask> tasks, Duration taskTimeout, Instant deadline, String backend)
            throws InterruptedException {
        AtomicReferenceArray<TaskResult> results = new AtomicReferenceArray<>(tasks.size());
        CountDownLatch done = new CountDownLatch(tasks.size());
        Map<InterruptGuard, Thread> running = new ConcurrentHashMap<>();
        // not closed with try-with-resources: close() waits for every task, and a task that ignores its interrupt
        // must not hold the answer back
        ExecutorService cpu = Executors.newFixedThreadPool(cpuThreads, Thread.ofPlatform().daemon().factory());
        ExecutorService io = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().factory());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().factory());
        TimeoutQueue<Running> clocks = new TimeoutQueue<>(taskTimeout.toNanos(),
                (action, nanos) -> timer.schedule(action, nanos, TimeUnit.NANOSECONDS), r -> {
            if (results.compareAndSet(r.index(), null, TaskResult.failed(r.task().id(), ErrorType.TIMEOUT,
                    "exceeded taskTimeout of " + Durations.format(taskTimeout), attempt(r.task()), backend,
                    r.started(), taskTimeout.toMillis()))) {
                r.guard().interrupt();
                done.countDown();
            }
        });
        try {
            for (int i = 0; i < tasks.size(); i++) {
                int index = i;
                WireTask task = tasks.get(i);
                (isCpu(task) ? cpu : io).execute(() -> {
                    Running r = new Running(index, task, Instant.now(), new InterruptGuard());
                    running.put(r.guard(), Thread.currentThread());
                    TimeoutQueue<Running>.Clock clock = clocks.add(r);
                    TaskResult result;
                    try {
                        result = runner.run(task.spec(), attempt(task), backend);
                    } finally {
                        clock.cancel();
                        running.remove(r.guard());
                        r.guard().disarm(); // a timeout that lost the race must not reach this thread's next task
                    }
                    if (results.compareAndSet(index, null, result)) {
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
            clocks.close();
            running.forEach((guard, thread) -> {
                guard.interrupt();
                runaways.add(thread);
            });
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
