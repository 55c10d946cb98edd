package dev.fanout.store;

import dev.fanout.testing.store.Stores;

class MemoryStoreTest extends StoreContractTest {
    @Override
    protected Store createStore() {
        return Stores.memory();
    }
}
