package dev.fanout.execution.process;

import dev.fanout.core.TaskResult;
import dev.fanout.protocol.Chunk;
import dev.fanout.protocol.Frames;
import dev.fanout.protocol.Protocol;
import dev.fanout.protocol.Reply;
import dev.fanout.protocol.WireTask;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A launcher of fake workers for driving the pool by hand: the test says what each worker says (hello, replies,
 * exit) and in which order, so races between a worker and the pool happen exactly as chosen. Nothing is a process.
 */
final class FakeWorkers implements Worker.Launcher {
    private final AtomicLong pids = new AtomicLong(1000);
    private final BlockingQueue<Fake> started = new LinkedBlockingQueue<>();
    /** When set, starting a worker fails as a vanished command does. */
    volatile boolean unstartable;

    /** A pool configuration for fake workers: no start timeout or backoff fires during a test unless asked. */
    static ProcessPoolConfig config(int workers, Duration startTimeout) {
        return new ProcessPoolConfig(workers, List.of("fake-worker"), 0, startTimeout, Duration.ofHours(1),
                java.util.Map.of());
    }

    @Override
    public Worker start(Worker.Events events) throws IOException {
        if (unstartable) {
            throw new IOException("Cannot run program \"fake-worker\": error=2, No such file or directory");
        }
        Fake f = new Fake(pids.incrementAndGet(), events);
        started.add(f);
        return f;
    }

    /** The next worker the pool started, waiting for it (bounded: only a hang reaches the bound). */
    Fake next() throws InterruptedException {
        Fake f = started.poll(10, TimeUnit.SECONDS);
        if (f == null) {
            throw new AssertionError("the pool started no worker");
        }
        return f;
    }

    static final class Fake implements Worker {
        final long pid;
        final Worker.Events events;
        final BlockingQueue<Chunk> chunks = new LinkedBlockingQueue<>();
        final List<Integer> frameBytes = new CopyOnWriteArrayList<>();
        final CompletableFuture<String> killed = new CompletableFuture<>();
        /** When set, every task it is sent succeeds at once, its output the task's input. */
        volatile boolean answersAtOnce;
        volatile boolean stdinClosed;

        Fake(long pid, Worker.Events events) {
            this.pid = pid;
            this.events = events;
        }

        void hello() {
            events.hello(this, new Reply.Hello(pid, 10, Protocol.VERSION));
        }

        void succeed(Chunk chunk, int index) {
            WireTask t = chunk.tasks().get(index);
            events.reply(this, Reply.result(chunk.chunk(), index,
                    TaskResult.succeeded(t.id(), t.input(), t.attempt(), label(), null, 0)));
        }

        /** The chunk it was sent next (bounded wait). */
        Chunk nextChunk() throws InterruptedException {
            Chunk c = chunks.poll(10, TimeUnit.SECONDS);
            if (c == null) {
                throw new AssertionError("worker " + pid + " was sent no chunk");
            }
            return c;
        }

        /** Waits until the pool kills it and answers why. */
        String awaitKill() throws Exception {
            return killed.get(10, TimeUnit.SECONDS);
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public String label() {
            return "fake:" + pid;
        }

        @Override
        public void send(byte[] frame) {
            Chunk chunk;
            try {
                chunk = Frames.decodeChunk(frame);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            frameBytes.add(frame.length);
            chunks.add(chunk);
            if (answersAtOnce) {
                for (int i = 0; i < chunk.tasks().size(); i++) {
                    succeed(chunk, i);
                }
            }
        }

        @Override
        public void closeStdin() {
            stdinClosed = true; // a fake exits when the test says so
        }

        @Override
        public void kill(String because) {
            killed.complete(because);
        }

        /** Why the pool killed it, or null. */
        String killedBecause() {
            return killed.getNow(null);
        }

        @Override
        public CompletableFuture<?> onExit() {
            return CompletableFuture.completedFuture(null);
        }
    }
}
