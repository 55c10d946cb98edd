package dev.fanout.api;

import dev.fanout.core.TaskSpec;
import dev.fanout.jmh.Workload;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.Settings;
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

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reading an NDJSON request body into checked tasks ({@code POST /batches}, the step before the engine). Part of the
 * JMH suite of dev.fanout.jmh, but here: BatchRequestReader is package-private, and the suite should not widen it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RequestParsingBenchmark {
    @Param("" + Workload.TASKS)
    public int tasks;

    private FunctionRegistry functions;
    private BatchRequestReader reader;
    private byte[] body;

    @Setup(Level.Trial)
    public void start() {
        functions = FunctionRegistry.discover(getClass().getClassLoader(), Settings.EMPTY);
        // the service's default limits: fanout.batch.max-tasks and max-task-input-bytes
        reader = new BatchRequestReader(functions, 1_000_000, 1_048_576);
        body = Workload.noopNdjson(tasks);
    }

    @Benchmark
    @OperationsPerInvocation(Workload.TASKS)
    public List<TaskSpec> readNdjson() {
        List<TaskSpec> read = reader.readNdjson(new ByteArrayInputStream(body)).tasks();
        if (read.size() != tasks) {
            throw new IllegalStateException("read " + read.size() + " of " + tasks + " tasks");
        }
        return read;
    }

    @TearDown(Level.Trial)
    public void stop() {
        functions.close();
    }
}
