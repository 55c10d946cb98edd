package dev.fanout.execution.stores;

import dev.fanout.execution.engine.EngineConfig;
import dev.fanout.store.Store;
import dev.fanout.testing.store.Stores;

/** The backend contract with the engine on a fresh database of the tests' PostgreSQL server. */
class PostgresBackendContractTest extends VirtualThreadsOnAStoreContractTest {
    @Override
    protected Store createStore(EngineConfig config) {
        return Stores.postgres();
    }
}
