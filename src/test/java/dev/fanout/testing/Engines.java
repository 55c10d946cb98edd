package dev.fanout.testing;

import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.engine.Engine;
import dev.fanout.execution.engine.EngineConfig;
import dev.fanout.execution.engine.EngineListener;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.Settings;
import dev.fanout.store.Store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Engines around one backend for the backends' own tests: every task routed to it, short retry backoffs, and
 * everything closed after the test (engines first, then whatever else the test handed over, then the functions).
 */
public final class Engines implements AutoCloseable {
    private final FunctionRegistry functions = FunctionRegistry.discover(Engines.class.getClassLoader(),
            Settings.EMPTY);
    private final List<AutoCloseable> closing = new ArrayList<>();

    public FunctionRegistry functions() {
        return functions;
    }

    /** An engine whose every task goes to {@code backend}, named {@code name} for the batches' cpuBackend. */
    public Engine around(String name, Backend backend) {
        return around(name, backend, EngineListener.NONE, null);
    }

    /** The same, told to {@code listener}, its batches in {@code store} (null: in memory). */
    public Engine around(String name, Backend backend, EngineListener listener, Store store) {
        EngineConfig config = new EngineConfig(10_000, Duration.ofHours(1), 100, Duration.ofMillis(10),
                Duration.ofMillis(100));
        Map<String, Backend> backends = Map.of(name, backend);
        Engine e = store == null ? new Engine(functions, backends, name, (f, o) -> backend, config, listener)
                : new Engine(functions, backends, name, (f, o) -> backend, config, listener, store);
        closing.add(0, e);
        return e;
    }

    /** Closes {@code resource} after the engines. */
    public <T extends AutoCloseable> T closeLater(T resource) {
        closing.add(resource);
        return resource;
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        functions.close();
    }
}
