package dev.fanout.service;

import dev.fanout.api.ScratchEngines;
import dev.fanout.config.StoreConfigInterceptor;
import dev.fanout.execution.engine.Engine;
import dev.fanout.execution.engine.EngineConfig;
import dev.fanout.execution.engine.EngineListener;
import dev.fanout.execution.local.LocalBackend;
import dev.fanout.runner.TaskRunner;
import dev.fanout.store.Store;
import dev.fanout.store.memory.MemoryStore;
import dev.fanout.store.sqlite.SqliteStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteDataSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The warm-up's private engines (see {@code api.WarmUp}): built here, where the service's own engine is wired. */
@ApplicationScoped
public class WarmUpEngines implements ScratchEngines {
    @Inject
    Engine engine;

    @Override
    public Engine open(Path dir, int tasks) {
        EngineConfig config = new EngineConfig(tasks, Duration.ofMinutes(1), 1, Duration.ofMillis(100),
                Duration.ofSeconds(1));
        // the built-in sleep reads no settings
        LocalBackend threads = LocalBackend.virtualThreads(new TaskRunner(engine.functions(), k -> Optional.empty()));
        return new Engine(engine.functions(), Map.of(LocalBackend.VIRTUAL_THREADS, threads),
                LocalBackend.VIRTUAL_THREADS, null, config, EngineListener.NONE, store(dir, tasks));
    }

    /**
     * A store like the service's, in {@code dir}: with a durable store the batches' tasks and results are written as
     * the user's will be (JDBC, SQLite: for PostgreSQL only its driver stays cold), in a SQLite file of the warm-up's
     * own, deleted after it.
     */
    private Store store(Path dir, int tasks) {
        if (!engine.store().durable()) {
            return new MemoryStore(tasks, Long.MAX_VALUE);
        }
        Path file = dir.resolve("warmup.db");
        SQLiteDataSource dataSource = new SQLiteDataSource();
        dataSource.setUrl(StoreConfigInterceptor.sqliteUrl(file.toString()));
        dataSource.setBusyTimeout(StoreConfigInterceptor.SQLITE_BUSY_TIMEOUT_MILLIS); // its config's 3 s otherwise
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration/sqlite").load().migrate();
        return new SqliteStore(dataSource, file);
    }
}
