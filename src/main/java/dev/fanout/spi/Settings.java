package dev.fanout.spi;


import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Configuration visible to functions (keys such as {@code fanout.http.max-body-bytes}). The host supplies it:
 * MicroProfile Config in the service and the Lambda, properties handed over at start-up in a worker process.
 */
@FunctionalInterface
public interface Settings {
    Settings EMPTY = key -> Optional.empty();

    Optional<String> get(String key);

    default long getLong(String key, long defaultValue) {
        return get(key).map(String::trim).map(Long::parseLong).orElse(defaultValue);
    }

    default boolean getBoolean(String key, boolean defaultValue) {
        return get(key).map(String::trim).map(Boolean::parseBoolean).orElse(defaultValue);
    }

    default Duration getDuration(String key, Duration defaultValue) {
        return get(key).map(Durations::parse).orElse(defaultValue);
    }

    static Settings of(Map<String, String> values) {
        Map<String, String> copy = Map.copyOf(values);
        return key -> Optional.ofNullable(copy.get(key));
    }
}
