package dev.fanout.service;

import dev.fanout.core.KeyedLimit;
import dev.fanout.core.TaskResult;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.engine.Engine;
import dev.fanout.execution.engine.EngineListener;
import dev.fanout.execution.lambda.LambdaBackend;
import dev.fanout.execution.process.ProcessBackend;
import dev.fanout.functions.http.Http;
import dev.fanout.functions.invoke.Invoke;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts tasks by final state and error type, retries and finished batches ({@code /q/metrics}), each by the name of
 * the API key the batch belongs to (label {@code key}, never the key itself). The names are bounded: a configured
 * name, {@code anonymous} (authentication off), {@code unowned} (a batch stored before keys had names) or
 * {@code other} (a name no longer configured, whose batch still runs).
 */
final class MetricsListener implements EngineListener {
    static final String UNOWNED = "unowned";
    static final String OTHER = "other";

    private final MeterRegistry meters;
    private final Set<String> names;

    MetricsListener(MeterRegistry meters, Set<String> names) {
        this.meters = meters;
        this.names = Set.copyOf(names);
        for (String name : names) { // each name's series exists from the start, at 0
            Counter.builder("fanout.task.retries").description("Attempts retried").tag("key", name).register(meters);
            Counter.builder("fanout.batches.finished").description("Batches finished").tag("key", name)
                    .register(meters);
        }
    }

    /** The label of a batch's name, from a bounded set. */
    private String key(Batch batch) {
        String tenant = batch.tenant();
        return tenant == null ? UNOWNED : names.contains(tenant) ? tenant : OTHER;
    }

    static void registerGauges(MeterRegistry meters, Engine engine, ProcessBackend processes) {
        if (engine.backends().get(LambdaBackend.NAME) instanceof LambdaBackend lambda) {
            FunctionCounter.builder("fanout.lambda.invocations", lambda.invocations, AtomicLong::get)
                    .description("Lambda invocations sent").register(meters);
            FunctionCounter.builder("fanout.lambda.throttles", lambda.throttles, AtomicLong::get)
                    .description("Lambda invocations refused with 429 TooManyRequestsException").register(meters);
            FunctionCounter.builder("fanout.lambda.splits", lambda.splits, AtomicLong::get)
                    .description("Chunks split in halves after Lambda refused them as too large (413)")
                    .register(meters);
            Gauge.builder("fanout.lambda.concurrency.limit", lambda, LambdaBackend::concurrencyLimit)
                    .description("Lambda invocations allowed in flight now, as learned from throttling")
                    .register(meters);
        }
        ProcessBackend.PoolStats stats = processes.stats();
        FunctionCounter.builder("fanout.processes.tasks", stats.tasks, AtomicLong::get)
                .description("Tasks run by worker processes").register(meters);
        FunctionCounter.builder("fanout.processes.crashes", stats.crashes, AtomicLong::get)
                .description("Worker processes that died unexpectedly").register(meters);
        FunctionCounter.builder("fanout.processes.restarts", stats.restarts, AtomicLong::get)
                .description("Worker processes started to replace others").register(meters);
        FunctionCounter.builder("fanout.processes.kills", stats.kills, AtomicLong::get)
                .description("Worker processes killed to stop a task (timeout, cancellation)").register(meters);
        Gauge.builder("fanout.processes.queue", processes, ProcessBackend::queueDepth)
                .description("CPU tasks waiting for a worker process").register(meters);
        Gauge.builder("fanout.processes.alive", processes, p -> p.pids().size())
                .description("Worker processes alive").register(meters);
        if (engine.functions().find("http").orElse(null) instanceof Http http) {
            registerHttp(meters, http);
        }
        if (engine.functions().find("invoke").orElse(null) instanceof Invoke invoke) {
            registerInvoke(meters, invoke);
        }
        Gauge.builder("fanout.batches.running", engine, Engine::runningBatchCount)
                .description("Batches not finished yet").register(meters);
        Gauge.builder("fanout.batches.retained", engine, Engine::batchCount)
                .description("Batches in memory, running or retained").register(meters);
    }

    /** Each host's limit, requests in flight and throttles, the host as a label (bounded by the http function). */
    private static void registerHttp(MeterRegistry meters, Http http) {
        FunctionCounter.builder("fanout.http.throttles", http.otherHosts(), KeyedLimit::throttles)
                .tag("host", http.otherHosts().label()).description("http requests answered 429 or 503")
                .register(meters);
        http.watchHosts(host -> {
            Gauge.builder("fanout.http.host.limit", host, KeyedLimit::limit).tag("host", host.label())
                    .description("http requests allowed in flight to the host now, as learned from 429 and 503")
                    .register(meters);
            Gauge.builder("fanout.http.host.in.flight", host, KeyedLimit::inFlight).tag("host", host.label())
                    .description("http requests in flight to the host").register(meters);
            FunctionCounter.builder("fanout.http.throttles", host, KeyedLimit::throttles).tag("host", host.label())
                    .description("http requests answered 429 or 503").register(meters);
        });
    }

    /** Each target function's limit, invocations in flight and throttles (bounded by the invoke function). */
    private static void registerInvoke(MeterRegistry meters, Invoke invoke) {
        FunctionCounter.builder("fanout.invoke.throttles", invoke.otherFunctions(), KeyedLimit::throttles)
                .tag("function", invoke.otherFunctions().label())
                .description("invoke calls answered 429 TooManyRequestsException").register(meters);
        invoke.watchFunctions(f -> {
            Gauge.builder("fanout.invoke.function.limit", f, KeyedLimit::limit).tag("function", f.label())
                    .description("invoke calls allowed in flight to the function now, as learned from 429s")
                    .register(meters);
            Gauge.builder("fanout.invoke.function.in.flight", f, KeyedLimit::inFlight).tag("function", f.label())
                    .description("invoke calls in flight to the function").register(meters);
            FunctionCounter.builder("fanout.invoke.throttles", f, KeyedLimit::throttles).tag("function", f.label())
                    .description("invoke calls answered 429 TooManyRequestsException").register(meters);
        });
    }

    @Override
    public void taskFinished(Batch batch, TaskResult result) {
        String error = result.error() == null ? "none" : result.error().type().name();
        meters.counter("fanout.tasks", "state", result.state().name(), "error", error, "key", key(batch)).increment();
    }

    @Override
    public void taskRetried(Batch batch, TaskResult failedAttempt) {
        meters.counter("fanout.task.retries", "key", key(batch)).increment();
    }

    @Override
    public void batchFinished(Batch batch) {
        meters.counter("fanout.batches.finished", "key", key(batch)).increment();
    }
}
