package dev.fanout.execution.stores;

import dev.fanout.execution.Backend;
import dev.fanout.execution.BackendContractTest;
import dev.fanout.execution.EngineConfig;
import dev.fanout.execution.local.LocalBackend;
import dev.fanout.runner.TaskRunner;
import dev.fanout.store.Store;
import dev.fanout.testing.store.Stores;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The backend contract with the engine on a SQLite file: results go through the journal's group commits before any
 * test sees them (the store is orthogonal to the backend, so one backend, the virtual threads, stands for all).
 */
class SqliteBackendContractTest extends BackendContractTest {
    @TempDir
    Path dir;

    @Override
    protected Store createStore(EngineConfig config) {
        return Stores.sqlite(dir.resolve("fanout.db"));
    }

    @Override
    protected Backend createBackend(TaskRunner runner) {
        return LocalBackend.virtualThreads(runner);
    }

    @Override
    protected String backendLabelPrefix() {
        return "virtual-thread";
    }
}
