package dev.fanout.execution.stores;

import dev.fanout.execution.engine.EngineConfig;
import dev.fanout.store.Store;
import dev.fanout.testing.store.Stores;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The backend contract with the engine on a SQLite file of the test's own. */
class SqliteBackendContractTest extends VirtualThreadsOnAStoreContractTest {
    @TempDir
    Path dir;

    @Override
    protected Store createStore(EngineConfig config) {
        return Stores.sqlite(dir.resolve("fanout.db"));
    }
}
