package dev.fanout.registry;

import dev.fanout.spi.Settings;
import dev.fanout.spi.TaskFunction;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The functions available in this process: the built-ins, found with {@link ServiceLoader} on the host's class loader,
 * and the users' own from the jars of {@value FunctionJars#PATH_KEY}, in a class loader of their own. The service,
 * a worker process and the Lambda worker build it the same way, from the same settings. Functions holding resources
 * (an HTTP client) implement {@link AutoCloseable}; {@link #close()} releases them and the jars.
 */
public final class FunctionRegistry implements AutoCloseable {
    /** A function and the jar it came from ({@code null} for a built-in). */
    public record Registered(TaskFunction function, String jar) {
        String describe() {
            return (jar == null ? "built-in" : jar) + " (" + function.getClass().getName() + ")";
        }
    }

    private final Map<String, Registered> functions;
    /** The same, for lookups on the dispatch path: hashing beats TreeMap's string comparisons. */
    private final Map<String, TaskFunction> byName;
    private final AutoCloseable jars;

    public FunctionRegistry(Collection<? extends TaskFunction> functions) {
        this(functions.stream().map(f -> new Registered(f, null)).toList(), () -> { });
    }

    private FunctionRegistry(List<Registered> registered, AutoCloseable jars) {
        Map<String, Registered> sorted = new TreeMap<>();
        for (Registered r : registered) {
            Registered previous = sorted.putIfAbsent(r.function().name(), r);
            if (previous != null) {
                throw new IllegalStateException("two functions are named '" + r.function().name() + "': "
                        + previous.describe() + " and " + r.describe() + "; rename one of them (a task names its "
                        + "function, so each name must be unique)");
            }
        }
        this.functions = Collections.unmodifiableMap(sorted);
        Map<String, TaskFunction> byName = new HashMap<>();
        sorted.forEach((name, r) -> byName.put(name, r.function()));
        this.byName = Map.copyOf(byName);
        this.jars = jars;
    }

    /**
     * The functions listed in {@code META-INF/services/dev.fanout.spi.TaskFunction} on the given loader, plus those
     * of the jars in {@code settings}' {@value FunctionJars#PATH_KEY}, each configured with {@code settings}.
     *
     * @throws IllegalStateException with a message for the operator: a name clash (naming both jars), a jar that
     *                               cannot be read, or a path given to a native binary
     */
    public static FunctionRegistry discover(ClassLoader loader, Settings settings) {
        return discover(loader, settings, List.of());
    }

    /**
     * @param hostOnly built-ins of this host only, beside those of the service file: IO functions that need the
     *                 service's own libraries (the AWS SDK for {@code invoke}), which the Lambda worker leaves out.
     *                 IO tasks run in the service alone, so no worker ever needs them.
     */
    public static FunctionRegistry discover(ClassLoader loader, Settings settings, List<TaskFunction> hostOnly) {
        List<Registered> found = new ArrayList<>();
        hostOnly.forEach(f -> found.add(new Registered(f, null)));
        Map<String, String> includedAtBuild = FunctionJars.includedAtBuild(loader);
        for (TaskFunction f : load(ServiceLoader.load(TaskFunction.class, loader), "the application")) {
            found.add(new Registered(f, includedAtBuild.get(f.getClass().getName())));
        }
        FunctionJars jars = FunctionJars.open(settings.get(FunctionJars.PATH_KEY).orElse(""));
        try {
            jars.requireOneJarPerFunctionClass();
            // no jar, nothing to ask: a native image has one class path, where an empty loader finds the built-ins again
            List<TaskFunction> fromJars = jars.isEmpty() ? List.of()
                    : load(ServiceLoader.load(TaskFunction.class, jars.loader()), jars.describe());
            jars.requireFunctions(fromJars.size());
            fromJars.forEach(f -> found.add(new Registered(f, jars.jarOf(f.getClass()))));
            // names are checked before any function is configured: configure may start what close must stop
            FunctionRegistry registry = new FunctionRegistry(found, jars);
            found.forEach(r -> r.function().configure(settings));
            return registry;
        } catch (RuntimeException | Error e) {
            closeAll(found);
            jars.close();
            throw e;
        }
    }

    private static List<TaskFunction> load(ServiceLoader<TaskFunction> loader, String where) {
        try {
            return loader.stream().map(ServiceLoader.Provider::get).toList();
        } catch (java.util.ServiceConfigurationError | LinkageError e) {
            // a listed class that is missing, is no TaskFunction, or lacks a dependency of its own
            throw new IllegalStateException("cannot load the functions of " + where + ": " + e.getMessage(), e);
        }
    }

    public Optional<TaskFunction> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    private static void closeAll(Collection<Registered> registered) {
        for (Registered r : registered) {
            if (r.function() instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing is best effort: one function's failure must not keep the others open
                }
            }
        }
    }

    /** Sorted by name. */
    public Collection<TaskFunction> all() {
        return functions.values().stream().map(Registered::function).toList();
    }

    /** Sorted by name, with where each came from. */
    public Collection<Registered> registered() {
        return functions.values();
    }

    public String names() {
        return String.join(", ", functions.keySet());
    }

    @Override
    public void close() {
        closeAll(functions.values());
        try {
            jars.close();
        } catch (Exception e) {
            // the jars' files stay open until exit; nothing else depends on it
        }
    }
}
