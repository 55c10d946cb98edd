package dev.fanout.execution.engine;

import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.core.TaskSpec;
import dev.fanout.spi.FunctionKind;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.TaskFunction;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Where each task runs: IO functions on the IO backend, CPU functions on the batch's cpuBackend (or a router's say). */
final class Routes {
    private final FunctionRegistry functions;
    private final Map<String, Backend> backends;
    private final Backend ioBackend;
    private final Router router;

    /** @param router null for the default routing */
    Routes(FunctionRegistry functions, Map<String, Backend> backends, String ioBackend, Router router) {
        this.functions = functions;
        this.backends = Map.copyOf(backends);
        this.ioBackend = backends.get(ioBackend);
        if (this.ioBackend == null) {
            throw new IllegalArgumentException("no backend named '" + ioBackend + "' among " + backends.keySet());
        }
        this.router = router != null ? router : this::defaultRoute;
    }

    Map<String, Backend> backends() {
        return backends;
    }

    FunctionRegistry functions() {
        return functions;
    }

    TaskFunction function(TaskSpec task) {
        return functions.find(task.function()).orElseThrow(() -> new IllegalStateException(
                "unvalidated task with unknown function " + task.function()));
    }

    Backend backend(TaskSpec task, BatchOptions options) {
        return router.route(function(task), options);
    }

    /** @throws BackendUnavailableException when a backend the tasks need cannot take work: refused whole, at once */
    void checkAvailable(List<TaskSpec> tasks, BatchOptions options) {
        Set<Backend> needed = Collections.newSetFromMap(new IdentityHashMap<>());
        for (TaskSpec task : tasks) {
            needed.add(backend(task, options));
        }
        for (Backend b : needed) {
            if (b.unavailableReason() != null) {
                throw new BackendUnavailableException(b.name(), b.unavailableReason());
            }
        }
    }

    private Backend defaultRoute(TaskFunction function, BatchOptions options) {
        if (function.kind() == FunctionKind.IO) {
            return ioBackend;
        }
        Backend b = backends.get(options.cpuBackend());
        if (b == null) {
            throw new IllegalStateException("no backend named '" + options.cpuBackend() + "' on this instance");
        }
        return b;
    }
}
