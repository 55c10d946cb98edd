package dev.fanout.execution.process;

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
 * its stderr to the log (keeping the last lines for crash reports). What the pool thinks of it lives in
 * {@link PooledWorker}.
 */
final class WorkerProcess implements Worker {
    private static final System.Logger LOG = System.getLogger(WorkerProcess.class.getName());
    private static final int STDERR_LINES_KEPT = 5;

    private final Process process;
    private final DataOutputStream stdin;
    private final ArrayDeque<String> lastStderr = new ArrayDeque<>();
    private final Thread stderrThread;
    private final long pid;
    private final String label;
    private volatile String killedBecause;

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
        builder.environment().clear(); // not the service's: its keys and credentials stay there
        builder.environment().putAll(environment);
        WorkerProcess worker = new WorkerProcess(builder.start());
        Thread.ofPlatform().daemon().name("fanout-worker-" + worker.pid + "-stdout")
                .start(() -> worker.readReplies(events));
        return worker;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public void send(byte[] frame) {
        try {
            synchronized (stdin) {
                Frames.write(stdin, frame);
                stdin.flush();
            }
        } catch (IOException e) {
            kill("its stdin broke: " + e.getMessage());
        }
    }

    @Override
    public void closeStdin() {
        try {
            synchronized (stdin) {
                stdin.close();
            }
        } catch (IOException e) {
            kill("could not close its stdin");
        }
    }

    @Override
    public void kill(String because) {
        if (killedBecause == null) {
            killedBecause = because;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    @Override
    public CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    private void readReplies(Events events) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(process.getInputStream(), 64 * 1024))) {
            byte[] frame;
            while ((frame = Frames.read(in)) != null) {
                Reply reply = Frames.decodeReply(frame);
                if (reply.hello() != null) {
                    events.hello(this, reply.hello());
                } else {
                    events.reply(this, reply);
                }
            }
        } catch (IOException | RuntimeException e) {
            // a kill closes the pipes ("Stream closed") before the process is gone: that is no breach of protocol
            if (killedBecause == null && process.isAlive()) {
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
        if (killedBecause != null) {
            return "worker process " + pid + " was killed: " + killedBecause;
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
