package dev.fanout.service;

import dev.fanout.execution.backend.ChunkTrace;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchState;
import dev.fanout.execution.batch.BatchStatus;
import dev.fanout.execution.engine.EngineListener;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Traces batches with OpenTelemetry: a span {@code fanout.batch} per run of a batch on this instance (accepted,
 * resumed or redriven, until it finishes or is handed over), and a child span {@code fanout.chunk} per chunk a
 * chunking backend sends (a worker process frame, a Lambda invocation). Never a span per task: a batch on virtual
 * threads may hold a million. With the SDK off (the default, see {@code TracingConfigInterceptor}) the engine goes
 * without it.
 *
 * <p>A batch span is the root of a trace of its own, linked to the span current when it started (the HTTP request
 * that submitted or redrove it): a batch outlives its request by hours, and its chunks belong together. Chunks are
 * sent from the backends' dispatcher threads, where no context is current, so their parent is the run's stored
 * context, not {@link Context#current()}.
 */
final class TracingListener implements EngineListener {
    static final AttributeKey<String> BATCH_ID = AttributeKey.stringKey("fanout.batch.id");
    static final AttributeKey<Long> TOTAL = AttributeKey.longKey("fanout.batch.total");
    static final AttributeKey<String> RUN = AttributeKey.stringKey("fanout.batch.run");
    static final AttributeKey<String> CPU_BACKEND = AttributeKey.stringKey("fanout.batch.cpu_backend");
    static final AttributeKey<String> STATE = AttributeKey.stringKey("fanout.batch.state");
    static final AttributeKey<Long> SUCCEEDED = AttributeKey.longKey("fanout.batch.succeeded");
    static final AttributeKey<Long> FAILED = AttributeKey.longKey("fanout.batch.failed");
    static final AttributeKey<Long> CANCELLED = AttributeKey.longKey("fanout.batch.cancelled");
    static final AttributeKey<String> BACKEND = AttributeKey.stringKey("fanout.backend");
    static final AttributeKey<Long> CHUNK_TASKS = AttributeKey.longKey("fanout.chunk.tasks");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("fanout.chunk.outcome");
    static final AttributeKey<Long> CHUNK_SUCCEEDED = AttributeKey.longKey("fanout.chunk.succeeded");
    static final AttributeKey<Long> CHUNK_FAILED = AttributeKey.longKey("fanout.chunk.failed");
    /** {@link #STATE} of a run handed over to a later one before its end. */
    static final String HANDED_OVER = "HANDED_OVER";

    private final Tracer tracer;
    /** The span of each run in progress, by identity: a resume or redrive of the same id is another run. */
    private final Map<Batch, Context> runs = new ConcurrentHashMap<>();

    TracingListener(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public void batchStarted(Batch batch, Start how) {
        SpanBuilder builder = tracer.spanBuilder("fanout.batch").setNoParent().setSpanKind(SpanKind.INTERNAL)
                .setAttribute(BATCH_ID, batch.id()).setAttribute(TOTAL, (long) batch.total())
                .setAttribute(RUN, how.name().toLowerCase(Locale.ROOT))
                .setAttribute(CPU_BACKEND, batch.options().cpuBackend());
        Span starter = Span.current();
        if (starter.getSpanContext().isValid()) {
            builder.addLink(starter.getSpanContext());
        }
        Span span = builder.startSpan();
        if (span.isRecording()) { // nothing to remember when the SDK is off or the run not sampled
            runs.put(batch, Context.root().with(span));
        }
    }

    @Override
    public void batchFinished(Batch batch) {
        Context run = runs.remove(batch);
        if (run == null) {
            return;
        }
        Span span = Span.fromContext(run);
        BatchStatus s = batch.status();
        span.setAttribute(STATE, s.state().name()).setAttribute(SUCCEEDED, (long) s.succeeded())
                .setAttribute(FAILED, (long) s.failed()).setAttribute(CANCELLED, (long) s.cancelled());
        if (s.state() == BatchState.FAILED) {
            span.setStatus(StatusCode.ERROR, s.failed() + " failed, " + s.cancelled() + " cancelled of " + s.total());
        }
        span.end();
    }

    @Override
    public void batchAbandoned(Batch batch) {
        Context run = runs.remove(batch);
        if (run != null) {
            Span.fromContext(run).setAttribute(STATE, HANDED_OVER).end();
        }
    }

    @Override
    public ChunkTrace chunkSent(Batch batch, String backend, int tasks) {
        Context run = runs.get(batch);
        if (run == null) {
            return ChunkTrace.NONE;
        }
        Span span = tracer.spanBuilder("fanout.chunk").setParent(run).setSpanKind(SpanKind.INTERNAL)
                .setAttribute(BATCH_ID, batch.id()).setAttribute(BACKEND, backend)
                .setAttribute(CHUNK_TASKS, (long) tasks).startSpan();
        return (outcome, succeeded, failed, why) -> {
            span.setAttribute(OUTCOME, outcome).setAttribute(CHUNK_SUCCEEDED, (long) succeeded)
                    .setAttribute(CHUNK_FAILED, (long) failed);
            if (why != null) {
                span.setStatus(StatusCode.ERROR, why);
            }
            span.end();
        };
    }
}
