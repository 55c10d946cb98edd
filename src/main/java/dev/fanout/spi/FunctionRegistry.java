package dev.fanout.spi;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The functions available in this process, discovered once with {@link ServiceLoader}. Functions holding resources
 * (an HTTP client) implement {@link AutoCloseable}; {@link #close()} releases them.
 */
public final class FunctionRegistry implements AutoCloseable {
    private final Map<String, TaskFunction> functions;
    /** The same, for lookups on the dispatch path: hashing beats TreeMap's string comparisons. */
    private final Map<String, TaskFunction> byName;

    public FunctionRegistry(Collection<? extends TaskFunction> functions) {
        Map<String, TaskFunction> byName = new TreeMap<>();
        for (TaskFunction f : functions) {
            TaskFunction previous = byName.putIfAbsent(f.name(), f);
            if (previous != null) {
                throw new IllegalStateException("two functions are named '" + f.name() + "': "
                        + previous.getClass().getName() + " and " + f.getClass().getName());
            }
        }
        this.functions = Collections.unmodifiableMap(byName);
        this.byName = Map.copyOf(byName);
    }

    /**
     * Every function listed in {@code META-INF/services/dev.fanout.spi.TaskFunction} on the given loader, each
     * configured with {@code settings}.
     */
    public static FunctionRegistry discover(ClassLoader loader, Settings settings) {
        List<TaskFunction> found = ServiceLoader.load(TaskFunction.class, loader).stream()
                .map(ServiceLoader.Provider::get).toList();
        found.forEach(f -> f.configure(settings));
        return new FunctionRegistry(found);
    }

    public Optional<TaskFunction> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Sorted by name. */
    public Collection<TaskFunction> all() {
        return functions.values();
    }

    public String names() {
        return String.join(", ", functions.keySet());
    }

    @Override
    public void close() {
        for (TaskFunction f : functions.values()) {
            if (f instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing is best effort: one function's failure must not keep the others open
                }
            }
        }
    }
}
