package dev.fanout.execution.process;

import dev.fanout.execution.Attempt;
import dev.fanout.protocol.Chunk;
import dev.fanout.protocol.Frames;
import dev.fanout.protocol.Reply;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One worker OS process and the two threads that listen to it: one reads reply frames from its stdout, one passes
 * its stderr to the log (keeping the last lines for crash reports). The fields below the process are the pool's
 * bookkeeping, guarded by the pool's lock.
 */
final class WorkerProcess {
    private static final System.Logger LOG = System.getLogger(WorkerProcess.class.getName());
    private static final int STDERR_LINES_KEPT = 5;

    /** What the pool learns from a worker. Called on the worker's reader thread. */
    interface Events {
        void hello(WorkerProcess worker);

        void reply(WorkerProcess worker, Reply reply);

        void exited(WorkerProcess worker, String how);
    }

    enum State { STARTING, IDLE, BUSY, RETIRING, DEAD }

    private final Process process;
    private final DataOutputStream stdin;
    private final ArrayDeque<String> lastStderr = new ArrayDeque<>();
    private final Thread stderrThread;
    final long pid;
    final String label;

    // ---- guarded by the pool's lock ----
    State state = State.STARTING;
    List<Attempt> chunk = List.of();
    long chunkId;
    /** Index in {@link #chunk} of the task the worker is running: the first one without a reply. */
    int next;
    long taskStartNanos;
    int tasksRun;
    /** Set when the pool kills the worker, to tell that exit from a crash. */
    volatile String killedBecause;

    private WorkerProcess(Process process) {
        this.process = process;
        this.pid = process.pid();
        this.label = "process:" + pid;
        this.stdin = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), 64 * 1024));
        this.stderrThread = Thread.ofPlatform().daemon().name("fanout-worker-" + pid + "-stderr")
                .start(this::drainStderr);
    }

    static WorkerProcess start(List<String> command, Map<String, String> environment, Events events)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().putAll(environment);
        WorkerProcess worker = new WorkerProcess(builder.start());
        Thread.ofPlatform().daemon().name("fanout-worker-" + worker.pid + "-stdout")
                .start(() -> worker.readReplies(events));
        return worker;
    }

    /** Sends a chunk. A failure means the worker is dying; its exit will be reported. */
    void send(Chunk chunk) {
        try {
            synchronized (stdin) {
                Frames.write(stdin, Frames.encode(chunk));
                stdin.flush();
            }
        } catch (IOException e) {
            kill("its stdin broke: " + e.getMessage());
        }
    }

    /** Asks the worker to finish: it exits when it sees its stdin end. */
    void closeStdin() {
        try {
            synchronized (stdin) {
                stdin.close();
            }
        } catch (IOException e) {
            kill("could not close its stdin");
        }
    }

    /** Kills the worker and any process it started. */
    void kill(String because) {
        if (killedBecause == null) {
            killedBecause = because;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    private void readReplies(Events events) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(process.getInputStream(), 64 * 1024))) {
            byte[] frame;
            while ((frame = Frames.read(in)) != null) {
                Reply reply = Frames.decodeReply(frame);
                if (reply.hello() != null) {
                    events.hello(this);
                } else {
                    events.reply(this, reply);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (process.isAlive()) {
                LOG.log(System.Logger.Level.WARNING, "worker " + pid + " broke the protocol: " + e);
                kill("it broke the protocol: " + e.getMessage());
            }
        }
        events.exited(this, describeExit());
    }

    private String describeExit() {
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                kill("it closed its stdout but did not exit");
                process.waitFor();
            }
            stderrThread.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String how = "worker process " + pid + " " + ExitCodes.describe(process.exitValue());
        synchronized (lastStderr) {
            if (!lastStderr.isEmpty()) {
                how += "; its last stderr: " + String.join(" | ", lastStderr);
            }
        }
        return how;
    }

    private void drainStderr() {
        try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = err.readLine()) != null; ) {
                LOG.log(System.Logger.Level.INFO, "worker " + pid + ": " + line);
                synchronized (lastStderr) {
                    if (lastStderr.size() == STDERR_LINES_KEPT) {
                        lastStderr.removeFirst();
                    }
                    lastStderr.addLast(line.length() > 300 ? line.substring(0, 300) + "..." : line);
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }
}
