package dev.fanout.execution.stores;

import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.backend.BackendContractTest;
import dev.fanout.execution.local.LocalBackend;
import dev.fanout.runner.TaskRunner;

/**
 * The backend contract with the engine on a durable store: results go through the journal's group commits (and, on
 * PostgreSQL, its leases) before any test sees them. The store is orthogonal to the backend, so one backend, the
 * virtual threads, stands for all; each subclass names the store.
 */
abstract class VirtualThreadsOnAStoreContractTest extends BackendContractTest {
    @Override
    protected Backend createBackend(TaskRunner runner) {
        return LocalBackend.virtualThreads(runner);
    }

    @Override
    protected String backendLabelPrefix() {
        return "virtual-thread";
    }
}
