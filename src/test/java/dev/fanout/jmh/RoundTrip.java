package dev.fanout.jmh;

import dev.fanout.core.TaskSpec;
import dev.fanout.execution.batch.BatchStatus;
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

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A batch of no-op tasks from submit to its journaled end (store the batch, dispatch, run, complete, group-commit the
 * results) on the backend a subclass chooses; JMH runs each subclass as a benchmark of its own.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public abstract class RoundTrip {
    @Param("" + Workload.TASKS)
    public int tasks;

    private SqliteEngine engine;
    private List<TaskSpec> batch;

    /** The engine on the backend under test, ready to take a batch. */
    protected abstract SqliteEngine startEngine() throws Exception;

    @Setup(Level.Trial)
    public void start() throws Exception {
        engine = startEngine();
        batch = Workload.noopTasks(tasks);
    }

    @Setup(Level.Iteration)
    public void forgetFinished() {
        engine.forgetFinished();
    }

    @Benchmark
    @OperationsPerInvocation(Workload.TASKS)
    public BatchStatus submitUntilFinished() {
        return engine.run(batch);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        engine.close(); // the engine stops its backend too
    }
}
