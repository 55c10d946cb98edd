package dev.fanout.execution.local;

import dev.fanout.execution.backend.BackendContractTest;
import dev.fanout.execution.backend.Backend;
import dev.fanout.runner.TaskRunner;

class ThreadPoolBackendTest extends BackendContractTest {

    @Override
    protected Backend createBackend(TaskRunner runner) {
        return LocalBackend.threadPool(4, runner);
    }

    @Override
    protected String backendLabelPrefix() {
        return "thread-pool";
    }
}
