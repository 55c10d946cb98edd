package dev.fanout.store;

import dev.fanout.testing.store.Stores;

class PostgresStoreTest extends StoreContractTest {
    @Override
    protected Store createStore() {
        return Stores.postgres();
    }
}
