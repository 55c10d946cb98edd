package dev.fanout.execution.engine;

import dev.fanout.store.Store;
import dev.fanout.testing.store.Stores;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class SqliteEngineDurabilityTest extends EngineDurabilityTest {
    @TempDir
    Path dir;

    @Override
    protected Store openStore() {
        return Stores.sqlite(dir.resolve("fanout.db"));
    }
}
