package dev.fanout.jmh;

import dev.fanout.core.TaskSpec;
import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.batch.BatchState;
import dev.fanout.execution.batch.BatchStatus;
import dev.fanout.execution.batch.BatchView;
import dev.fanout.execution.engine.Engine;
import dev.fanout.execution.engine.EngineListener;
import dev.fanout.runner.TaskRunner;
import dev.fanout.spi.Settings;
import dev.fanout.testing.Engines;
import dev.fanout.testing.Tasks;
import dev.fanout.testing.store.Stores;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * An engine as the service runs it by default, on SQLite (a file in a temporary directory of its own), with every
 * task routed to one backend. {@link #close} stops the engine, its backend and store, and deletes the directory.
 */
final class SqliteEngine implements AutoCloseable {
    /** Two INFO lines a batch from the engine and Flyway's at each store would bury JMH's output; restored at close. */
    private static final List<String> QUIET = List.of("dev.fanout.execution", "org.flywaydb");

    private final Map<Logger, Level> levels = new LinkedHashMap<>(); // also keeps the loggers (JUL holds them weakly)
    private final Path dir;
    private final Engines engines = new Engines();
    private final Engine engine;

    /** @param backend the backend, given the runner of the registered functions (a worker pool ignores it) */
    SqliteEngine(String name, Function<TaskRunner, Backend> backend) {
        for (String quiet : QUIET) {
            Logger logger = Logger.getLogger(quiet);
            levels.put(logger, logger.getLevel());
            logger.setLevel(Level.WARNING);
        }
        try {
            dir = Files.createTempDirectory("fanout-jmh");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Backend b = backend.apply(new TaskRunner(engines.functions(), Settings.EMPTY));
        engine = engines.around(name, b, EngineListener.NONE, Stores.sqlite(dir.resolve("fanout.db")));
        engine.start();
    }

    /**
     * Submits the tasks and waits until the batch is finished: stored, dispatched, run, completed and journaled.
     * A batch whose tasks did not all succeed is an error, not a figure.
     */
    BatchStatus run(List<TaskSpec> tasks) {
        try {
            BatchStatus s = engine.submit(tasks, Tasks.defaults()).done().get(5, TimeUnit.MINUTES);
            if (s.state() != BatchState.SUCCEEDED || s.succeeded() != tasks.size()) {
                throw new IllegalStateException("the batch did not succeed whole: " + s);
            }
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the batch did not finish", e);
        }
    }

    /** The batch as a reader of the API finds it: once finished, read from the store. */
    BatchView find(String id) {
        return engine.find(id).orElseThrow();
    }

    /**
     * Deletes the finished batches. The round trips call it before each iteration: a few minutes of 10,000-task
     * batches would otherwise add millions of rows, and later iterations would measure a bigger file than earlier ones.
     */
    void forgetFinished() {
        engine.store().expire(Long.MAX_VALUE, 0);
    }

    @Override
    public void close() throws Exception {
        try {
            engines.close();
        } finally {
            levels.forEach(Logger::setLevel);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
