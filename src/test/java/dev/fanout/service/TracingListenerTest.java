package dev.fanout.service;

import dev.fanout.core.TaskSpec;
import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.execution.batch.BatchState;
import dev.fanout.execution.engine.Engine;
import dev.fanout.execution.local.LocalBackend;
import dev.fanout.execution.process.ProcessBackend;
import dev.fanout.execution.process.ProcessPoolConfig;
import dev.fanout.runner.TaskRunner;
import dev.fanout.spi.Settings;
import dev.fanout.store.Store;
import dev.fanout.testing.Engines;
import dev.fanout.testing.store.Stores;
import dev.fanout.worker.process.WorkerCommand;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.fanout.testing.Tasks.await;
import static dev.fanout.testing.Tasks.task;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spans of batch runs and their chunks, as the OpenTelemetry SDK records them, on real engines and backends. */
class TracingListenerTest {
    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private final SdkTracerProvider tracing = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exported)).build();
    private final TracingListener listener = new TracingListener(tracing.get("test"));
    private final Engines engines = new Engines();

    @TempDir
    Path dir;

    @AfterEach
    void close() throws Exception {
        engines.close();
        tracing.close();
    }

    private Engine engine(String name, Backend backend, Store store) {
        Engine e = engines.around(name, backend, listener, store);
        e.start(); // takes up what the store holds RUNNING
        return e;
    }

    private Engine processes(int workers) {
        List<String> command = WorkerCommand.detect(List.of("-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError"));
        return engine(ProcessBackend.NAME, new ProcessBackend(new ProcessPoolConfig(workers, command, 0,
                Duration.ofSeconds(30), Duration.ofSeconds(30), Map.of())), null);
    }

    private Engine virtualThreads(Store store) {
        return engine(LocalBackend.VIRTUAL_THREADS, LocalBackend.virtualThreads(new TaskRunner(engines.functions(),
                Settings.EMPTY)), store);
    }

    private static BatchOptions chunksOf(int size, String backend) {
        return new BatchOptions(1000, Duration.ofMinutes(1), 0, false, backend, size);
    }

    /** The spans named {@code name}, once there are {@code count} (the batch span ends just after its batch). */
    private List<SpanData> spans(String name, int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> named(name).size() >= count);
        List<SpanData> spans = named(name);
        assertEquals(count, spans.size(), spans.toString());
        return spans;
    }

    private List<SpanData> named(String name) {
        return exported.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
    }

    private static long attr(SpanData span, io.opentelemetry.api.common.AttributeKey<Long> key) {
        Long value = span.getAttributes().get(key);
        assertTrue(value != null, key + " on " + span);
        return value;
    }

    @Test
    void aBatchOnWorkerProcessesIsASpanWithAChildSpanPerChunk() {
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            tasks.add(task("p" + i, "primes", i == 7 ? "{\"limit\": -1}" : "{\"limit\": 1000}"));
        }
        Batch batch = processes(2).submit(tasks, chunksOf(3, ProcessBackend.NAME));
        await(batch);
        SpanData run = spans("fanout.batch", 1).getFirst();
        assertEquals(batch.id(), run.getAttributes().get(TracingListener.BATCH_ID));
        assertEquals(10, attr(run, TracingListener.TOTAL));
        assertEquals("accepted", run.getAttributes().get(TracingListener.RUN));
        assertEquals(BatchState.FAILED.name(), run.getAttributes().get(TracingListener.STATE));
        assertEquals(List.of(9L, 1L, 0L), List.of(attr(run, TracingListener.SUCCEEDED),
                attr(run, TracingListener.FAILED), attr(run, TracingListener.CANCELLED)));
        assertEquals(StatusCode.ERROR, run.getStatus().getStatusCode(), "a FAILED batch");
        assertFalse(run.getParentSpanContext().isValid(), "a batch run is the root of its trace");

        List<SpanData> chunks = named("fanout.chunk");
        assertTrue(chunks.size() >= 4, "10 tasks in chunks of at most 3: " + chunks);
        long tasksSent = 0;
        long succeeded = 0;
        for (SpanData chunk : chunks) {
            assertEquals(run.getSpanContext().getTraceId(), chunk.getTraceId());
            assertEquals(run.getSpanId(), chunk.getParentSpanId(), "parented to its batch, across threads");
            assertEquals(batch.id(), chunk.getAttributes().get(TracingListener.BATCH_ID));
            assertEquals(ProcessBackend.NAME, chunk.getAttributes().get(TracingListener.BACKEND));
            assertEquals("answered", chunk.getAttributes().get(TracingListener.OUTCOME), chunk.toString());
            long size = attr(chunk, TracingListener.CHUNK_TASKS);
            assertTrue(size >= 1 && size <= 3, chunk.toString());
            assertEquals(size, attr(chunk, TracingListener.CHUNK_SUCCEEDED)
                    + attr(chunk, TracingListener.CHUNK_FAILED));
            tasksSent += size;
            succeeded += attr(chunk, TracingListener.CHUNK_SUCCEEDED);
        }
        assertEquals(10, tasksSent, "each task in one chunk");
        assertEquals(9, succeeded);
        assertEquals(chunks.size() + 1, exported.getFinishedSpanItems().size(), "no other spans");
    }

    @Test
    void aChunkWhoseWorkerDiesEndsInErrorAndTheRestGoesInAnother() {
        Batch batch = processes(1).submit(List.of(task("a", "primes", "{\"limit\": 100}"),
                task("crash", "exit", "{\"code\": 3}"), task("b", "primes", "{\"limit\": 100}")),
                chunksOf(3, ProcessBackend.NAME));
        await(batch);
        SpanData run = spans("fanout.batch", 1).getFirst();
        assertEquals(List.of(2L, 1L), List.of(attr(run, TracingListener.SUCCEEDED),
                attr(run, TracingListener.FAILED)));
        List<SpanData> chunks = named("fanout.chunk");
        List<SpanData> crashed = chunks.stream()
                .filter(c -> "worker-crashed".equals(c.getAttributes().get(TracingListener.OUTCOME))).toList();
        assertEquals(1, crashed.size(), chunks.toString());
        assertEquals(StatusCode.ERROR, crashed.getFirst().getStatus().getStatusCode());
        assertTrue(crashed.getFirst().getStatus().getDescription().contains("exited with code 3"),
                crashed.getFirst().getStatus().getDescription());
        assertEquals(0, attr(crashed.getFirst(), TracingListener.CHUNK_FAILED), "it answered nothing that failed");
        assertEquals(2, chunks.stream().mapToLong(c -> attr(c, TracingListener.CHUNK_SUCCEEDED)).sum(),
                "what the crash did not answer ran in a later chunk");
        chunks.forEach(c -> assertEquals(run.getSpanId(), c.getParentSpanId()));
    }

    @Test
    void tasksOnVirtualThreadsMakeNoSpansOfTheirOwn() {
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            tasks.add(task("t" + i, "noop", "{}"));
        }
        Batch batch = virtualThreads(null).submit(tasks, chunksOf(0, LocalBackend.VIRTUAL_THREADS));
        await(batch);
        SpanData run = spans("fanout.batch", 1).getFirst();
        assertEquals(1000, attr(run, TracingListener.SUCCEEDED));
        assertEquals(StatusCode.UNSET, run.getStatus().getStatusCode());
        assertEquals(1, exported.getFinishedSpanItems().size(), "one span for 1,000 tasks");
    }

    @Test
    void aBatchSpanLinksToTheSpanThatSubmittedIt() {
        Engine engine = virtualThreads(null);
        Span request = tracing.get("test").spanBuilder("POST /batches").startSpan();
        Batch batch;
        try (Scope ignored = request.makeCurrent()) {
            batch = engine.submit(List.of(task("t", "noop", "{}")), chunksOf(0, LocalBackend.VIRTUAL_THREADS));
        } finally {
            request.end();
        }
        await(batch);
        SpanData run = spans("fanout.batch", 1).getFirst();
        assertNotEquals(request.getSpanContext().getTraceId(), run.getTraceId(), "a trace of its own");
        assertEquals(List.of(request.getSpanContext()),
                run.getLinks().stream().map(l -> l.getSpanContext()).toList());
    }

    @Test
    void eachRunOfABatchIsASpanOfItsOwn() {
        Store store = Stores.sqlite(dir.resolve("fanout.db"));
        Engine first = virtualThreads(store);
        Batch batch = first.submit(List.of(task("quick", "noop", "{}"),
                task("long", "sleep", "{\"duration\": \"1h\"}")), chunksOf(0, LocalBackend.VIRTUAL_THREADS));
        await().atMost(Duration.ofSeconds(10)).until(() -> batch.status().succeeded() == 1);
        first.close(); // a durable store keeps the batch RUNNING for the next run
        SpanData handedOver = spans("fanout.batch", 1).getFirst();
        assertEquals(TracingListener.HANDED_OVER, handedOver.getAttributes().get(TracingListener.STATE));

        Engine second = virtualThreads(Stores.sqlite(dir.resolve("fanout.db"))); // resumes it at start
        await().atMost(Duration.ofSeconds(10)).until(() -> second.runningBatchCount() == 1);
        second.cancel(batch.id());
        List<SpanData> runs = spans("fanout.batch", 2);
        SpanData resumed = runs.get(1);
        assertEquals(batch.id(), resumed.getAttributes().get(TracingListener.BATCH_ID));
        assertEquals("resumed", resumed.getAttributes().get(TracingListener.RUN));
        assertEquals(BatchState.CANCELLED.name(), resumed.getAttributes().get(TracingListener.STATE));
        assertEquals(List.of(1L, 1L), List.of(attr(resumed, TracingListener.SUCCEEDED),
                attr(resumed, TracingListener.CANCELLED)), "counts of the whole batch, the first run's too");
        assertNotEquals(handedOver.getTraceId(), resumed.getTraceId());

        second.redrive(batch.id(), null, null, null);
        await().atMost(Duration.ofSeconds(10)).until(() -> second.runningBatchCount() == 1);
        second.cancel(batch.id());
        SpanData redriven = spans("fanout.batch", 3).get(2);
        assertEquals("redriven", redriven.getAttributes().get(TracingListener.RUN));
        assertEquals(batch.id(), redriven.getAttributes().get(TracingListener.BATCH_ID));
    }
}
