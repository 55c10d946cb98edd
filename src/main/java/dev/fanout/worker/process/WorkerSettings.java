package dev.fanout.worker.process;

import dev.fanout.spi.Settings;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Settings in a worker process. The service hands its {@code fanout.*} settings over as environment variables named
 * the MicroProfile Config way ({@code fanout.http.max-body-bytes} -> {@code FANOUT_HTTP_MAX_BODY_BYTES}), which works
 * alike for a JVM and a native worker; a {@code -D} system property of the same key wins.
 */
public final class WorkerSettings implements Settings {

    public static String environmentName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    @Override
    public Optional<String> get(String key) {
        String property = System.getProperty(key);
        return property != null ? Optional.of(property) : Optional.ofNullable(System.getenv(environmentName(key)));
    }

    /** The environment that carries {@code settings} to a worker. */
    public static Map<String, String> toEnvironment(Map<String, String> settings) {
        Map<String, String> env = new java.util.HashMap<>();
        settings.forEach((k, v) -> env.put(environmentName(k), v));
        return env;
    }
}
