package dev.fanout.jmh;

import dev.fanout.execution.process.ProcessBackend;
import dev.fanout.execution.process.ProcessPoolConfig;
import dev.fanout.worker.process.WorkerCommand;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The round trip on a pool of 2 worker processes, chunked automatically as the API does by default: the per-task
 * cost that issue 14 compares with Python's {@code ProcessPoolExecutor.map} (bench/README.md, scenario 4, without
 * HTTP). The workers start once per trial and are up before the first iteration, as a running service's are.
 */
public class ProcessRoundTrip extends RoundTrip {
    private static final int WORKERS = 2;

    @Override
    protected SqliteEngine startEngine() throws Exception {
        // the workers' options of ProcessBackendTest.pool: the service's defaults but for -Xshare:auto
        List<String> command = WorkerCommand.detect(List.of("-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError"));
        ProcessBackend pool = new ProcessBackend(new ProcessPoolConfig(WORKERS, command, 0, Duration.ofSeconds(30),
                Duration.ofSeconds(30), Map.of()));
        SqliteEngine engine = new SqliteEngine("processes", runner -> pool);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!pool.details().get("idle").equals((long) WORKERS)) {
            if (System.nanoTime() > deadline) {
                engine.close();
                throw new IllegalStateException("the workers did not start: " + pool.details());
            }
            Thread.sleep(20);
        }
        return engine;
    }
}
