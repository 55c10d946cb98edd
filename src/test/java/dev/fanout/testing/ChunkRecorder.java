package dev.fanout.testing;

import dev.fanout.execution.backend.ChunkTrace;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.engine.EngineListener;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** An engine listener that keeps every chunk a backend reports, sent and ended, for the backends' tests. */
public final class ChunkRecorder implements EngineListener {
    /** One chunk: what was sent, and once over, how it ended ({@code outcome} null until then). */
    public static final class Sent {
        public final Batch batch;
        public final String backend;
        public final int tasks;
        public volatile String outcome;
        public volatile int succeeded;
        public volatile int failed;
        public volatile String why;
        private final AtomicInteger ends = new AtomicInteger();

        Sent(Batch batch, String backend, int tasks) {
            this.batch = batch;
            this.backend = backend;
            this.tasks = tasks;
        }

        /** How often it was told ended: once, for a chunk that is over. */
        public int ends() {
            return ends.get();
        }

        @Override
        public String toString() {
            return backend + " chunk of " + tasks + ": " + outcome + " (" + succeeded + " succeeded, " + failed
                    + " failed" + (why == null ? "" : ", " + why) + ")";
        }
    }

    private final List<Sent> chunks = new CopyOnWriteArrayList<>();

    @Override
    public ChunkTrace chunkSent(Batch batch, String backend, int tasks) {
        Sent sent = new Sent(batch, backend, tasks);
        chunks.add(sent);
        return (outcome, succeeded, failed, why) -> {
            sent.succeeded = succeeded;
            sent.failed = failed;
            sent.why = why;
            sent.outcome = outcome;
            sent.ends.incrementAndGet();
        };
    }

    public List<Sent> chunks() {
        return List.copyOf(chunks);
    }
}
