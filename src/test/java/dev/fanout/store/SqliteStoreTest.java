package dev.fanout.store;

import dev.fanout.testing.store.Stores;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class SqliteStoreTest extends StoreContractTest {
    @TempDir
    Path dir;

    @Override
    protected Store createStore() {
        return Stores.sqlite(dir.resolve("fanout.db"));
    }
}
