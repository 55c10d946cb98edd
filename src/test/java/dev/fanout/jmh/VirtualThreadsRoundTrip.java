package dev.fanout.jmh;

import dev.fanout.execution.local.LocalBackend;

/** The round trip on virtual threads, a thread per task: the engine's own cost per task, with no process boundary. */
public class VirtualThreadsRoundTrip extends RoundTrip {
    @Override
    protected SqliteEngine startEngine() {
        return new SqliteEngine(LocalBackend.VIRTUAL_THREADS, LocalBackend::virtualThreads);
    }
}
