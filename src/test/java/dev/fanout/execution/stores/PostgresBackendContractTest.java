package dev.fanout.execution.stores;

import dev.fanout.execution.Backend;
import dev.fanout.execution.BackendContractTest;
import dev.fanout.execution.EngineConfig;
import dev.fanout.execution.local.LocalBackend;
import dev.fanout.runner.TaskRunner;
import dev.fanout.store.Store;
import dev.fanout.testing.store.Stores;

/**
 * The backend contract with the engine on a fresh database of the tests' PostgreSQL server: results go through the
 * journal's group commits and leases before any test sees them (one backend, the virtual threads, stands for all).
 */
class PostgresBackendContractTest extends BackendContractTest {

    @Override
    protected Store createStore(EngineConfig config) {
        return Stores.postgres();
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
