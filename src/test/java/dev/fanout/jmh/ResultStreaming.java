package dev.fanout.jmh;

import com.fasterxml.jackson.databind.ObjectWriter;
import dev.fanout.api.ResultResource.StreamedResult;
import dev.fanout.core.Json;
import dev.fanout.execution.batch.BatchView;
import dev.fanout.execution.local.LocalBackend;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A finished batch's results streamed as {@code GET /batches/{id}/results} sends them by default: read from the store
 * a page at a time in completion order and written as NDJSON lines. The socket is a discarding stream, and HTTP and
 * Mutiny's per-item cost are left out: what remains is the store's read and the JSON writing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ResultStreaming {
    /** ResultStreams.PAGE: the results one read of the store brings. */
    private static final int PAGE = 256;
    private static final ObjectWriter LINE = Json.mapper().writerFor(StreamedResult.class);

    @Param("" + Workload.TASKS)
    public int tasks;

    private SqliteEngine engine;
    private String batchId;
    private final OutputStream socket = OutputStream.nullOutputStream();

    @Setup(Level.Trial)
    public void runBatch() {
        engine = new SqliteEngine(LocalBackend.VIRTUAL_THREADS, LocalBackend::virtualThreads);
        batchId = engine.run(Workload.noopTasks(tasks)).id();
    }

    /** @return the bytes written, so that none of the writing can be left out as unused */
    @Benchmark
    @OperationsPerInvocation(Workload.TASKS)
    public long streamAll() throws IOException {
        BatchView batch = engine.find(batchId); // once per request, as the resource does
        long bytes = 0;
        List<BatchView.Numbered> page = batch.page(false, 0, PAGE);
        while (!page.isEmpty()) {
            for (BatchView.Numbered n : page) {
                byte[] line = LINE.writeValueAsBytes(new StreamedResult(n.seq(), n.result()));
                socket.write(line);
                socket.write('\n');
                bytes += line.length + 1;
            }
            page = batch.page(false, page.getLast().seq(), PAGE);
        }
        if (bytes == 0) {
            throw new IllegalStateException("no results streamed");
        }
        return bytes;
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        engine.close();
    }
}
