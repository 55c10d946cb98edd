package dev.fanout.execution;

import dev.fanout.store.Store;
import dev.fanout.testing.store.PostgresServer;
import dev.fanout.testing.store.Stores;
import org.junit.jupiter.api.BeforeEach;

class PostgresEngineDurabilityTest extends EngineDurabilityTest {
    private String url;

    @BeforeEach
    void database() {
        url = PostgresServer.freshDatabase();
    }

    @Override
    protected Store openStore() {
        return Stores.postgres(url);
    }
}
