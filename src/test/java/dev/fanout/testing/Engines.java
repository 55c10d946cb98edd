package dev.fanout.testing;

import dev.fanout.execution.Backend;
import dev.fanout.execution.Engine;
import dev.fanout.execution.EngineConfig;
import dev.fanout.execution.EngineListener;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.Settings;

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
        Engine e = new Engine(functions, Map.of(name, backend), name, (f, o) -> backend,
                new EngineConfig(10_000, Duration.ofHours(1), 100, Duration.ofMillis(10), Duration.ofMillis(100)),
                EngineListener.NONE);
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
