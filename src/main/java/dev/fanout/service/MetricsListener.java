package dev.fanout.service;

import dev.fanout.core.TaskResult;
import dev.fanout.execution.Batch;
import dev.fanout.execution.Engine;
import dev.fanout.execution.EngineListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** Counts tasks by final state and error type, retries and finished batches ({@code /q/metrics}). */
final class MetricsListener implements EngineListener {
    private final MeterRegistry meters;
    private final Counter retries;
    private final Counter batches;

    MetricsListener(MeterRegistry meters) {
        this.meters = meters;
        this.retries = Counter.builder("fanout.task.retries").description("Attempts retried").register(meters);
        this.batches = Counter.builder("fanout.batches.finished").description("Batches finished").register(meters);
    }

    static void registerGauges(MeterRegistry meters, Engine engine) {
        Gauge.builder("fanout.batches.running", engine, Engine::runningBatchCount)
                .description("Batches not finished yet").register(meters);
        Gauge.builder("fanout.batches.retained", engine, Engine::batchCount)
                .description("Batches in memory, running or retained").register(meters);
    }

    @Override
    public void taskFinished(Batch batch, TaskResult result) {
        String error = result.error() == null ? "none" : result.error().type().name();
        meters.counter("fanout.tasks", "state", result.state().name(), "error", error).increment();
    }

    @Override
    public void taskRetried(Batch batch, TaskResult failedAttempt) {
        retries.increment();
    }

    @Override
    public void batchFinished(Batch batch) {
        batches.increment();
    }
}
