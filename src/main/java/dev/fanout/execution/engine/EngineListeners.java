package dev.fanout.execution.engine;

import dev.fanout.execution.backend.ChunkTrace;
import dev.fanout.execution.batch.Batch;
import dev.fanout.core.TaskResult;

import java.util.List;

/** Several listeners as one (metrics and traces), called in order. */
public final class EngineListeners implements EngineListener {
    private final List<EngineListener> listeners;

    private EngineListeners(List<EngineListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    public static EngineListener of(EngineListener... listeners) {
        return listeners.length == 1 ? listeners[0] : new EngineListeners(List.of(listeners));
    }

    @Override
    public void batchStarted(Batch batch, Start how) {
        listeners.forEach(l -> l.batchStarted(batch, how));
    }

    @Override
    public void taskFinished(Batch batch, TaskResult result) {
        listeners.forEach(l -> l.taskFinished(batch, result));
    }

    @Override
    public void taskRetried(Batch batch, TaskResult failedAttempt) {
        listeners.forEach(l -> l.taskRetried(batch, failedAttempt));
    }

    @Override
    public void batchFinished(Batch batch) {
        listeners.forEach(l -> l.batchFinished(batch));
    }

    @Override
    public void batchAbandoned(Batch batch) {
        listeners.forEach(l -> l.batchAbandoned(batch));
    }

    @Override
    public ChunkTrace chunkSent(Batch batch, String backend, int tasks) {
        List<ChunkTrace> chunks = listeners.stream().map(l -> l.chunkSent(batch, backend, tasks)).toList();
        return (outcome, succeeded, failed, why) -> chunks.forEach(c -> c.ended(outcome, succeeded, failed, why));
    }
}
