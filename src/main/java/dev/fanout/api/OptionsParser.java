package dev.fanout.api;

import dev.fanout.config.BatchConfig;

import dev.fanout.api.problem.ProblemException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.spi.Durations;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.config.FanoutConfig;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the batch options from the body (JSON batches) and from query parameters (any batch), applies the
 * configured defaults and checks every range, naming the allowed one when a value is outside it.
 */
final class OptionsParser {
    static final int MAX_CHUNK_SIZE = 100_000;
    static final int MAX_CONCURRENCY = 1_000_000;

    private final BatchConfig config;
    private final Set<String> backends;
    private final String keyName;
    private final int keyMaxConcurrency;

    OptionsParser(BatchConfig config, Set<String> backends) {
        this(config, backends, null, 0);
    }

    /** @param keyMaxConcurrency the caller's max-concurrency quota (0: none), named after {@code keyName} */
    OptionsParser(BatchConfig config, Set<String> backends, String keyName, int keyMaxConcurrency) {
        this.config = config;
        this.backends = backends;
        this.keyName = keyName;
        this.keyMaxConcurrency = keyMaxConcurrency;
    }

    BatchOptions parse(Map<String, JsonNode> body, Function<String, String> query) {
        Options o = new Options(body, query);
        int maxConcurrency = o.integer("maxConcurrency", 1, MAX_CONCURRENCY, keyMaxConcurrency > 0
                ? Math.min(config.defaultMaxConcurrency(), keyMaxConcurrency) : config.defaultMaxConcurrency());
        checkKeyConcurrency(keyName, keyMaxConcurrency, maxConcurrency);
        Duration timeout = o.duration("taskTimeout", config.defaultTaskTimeout());
        if (timeout.isZero() || timeout.compareTo(config.maxTaskTimeout()) > 0) {
            throw ProblemException.invalidOption("taskTimeout: must be above 0 and at most "
                    + Durations.format(config.maxTaskTimeout()) + " (fanout.batch.max-task-timeout)");
        }
        int retries = o.integer("retries", 0, config.maxRetries(), 0);
        boolean failFast = o.bool("failFast");
        String cpuBackend = o.text("cpuBackend", config.defaultCpuBackend());
        if (!backends.contains(cpuBackend)) {
            throw ProblemException.invalidOption("cpuBackend: unknown backend '" + cpuBackend + "'; available: "
                    + String.join(", ", backends.stream().sorted().toList())
                    + (cpuBackend.equals("lambda") ? " (set fanout.lambda.function-name to enable lambda)" : ""));
        }
        int chunkSize = o.integer("chunkSize", 0, MAX_CHUNK_SIZE, 0);
        int toleratedCount = o.integer("toleratedFailureCount", 0, Integer.MAX_VALUE, -1);
        double toleratedPercentage = o.number("toleratedFailurePercentage", 0, 100, -1);
        return new BatchOptions(maxConcurrency, timeout, retries, failFast, cpuBackend, chunkSize, toleratedCount,
                toleratedPercentage);
    }

    /**
     * A batch that asks for more concurrency than its key's whole max-concurrency quota could never start: a 400 now,
     * not a 429 that no wait would clear.
     */
    static void checkKeyConcurrency(String keyName, int keyMaxConcurrency, int maxConcurrency) {
        if (keyMaxConcurrency > 0 && maxConcurrency > keyMaxConcurrency) {
            throw ProblemException.invalidOption("maxConcurrency: at most " + keyMaxConcurrency + " for key '"
                    + keyName + "' (fanout.auth.keys." + keyName + ".max-concurrency), got " + maxConcurrency);
        }
    }

    /** An integer option or parameter in [min, max]; anything else is a 400 that gives the range. */
    static int integer(String name, String value, int min, int max) {
        try {
            long n = Long.parseLong(value.trim());
            if (n >= min && n <= max) {
                return (int) n;
            }
        } catch (NumberFormatException e) {
            // one message for both cases
        }
        throw ProblemException.invalidOption(name + ": expected an integer from " + min + " to " + max + ", got '"
                + value + "'");
    }

    /**
     * One of an enum's names (exactly as clients read them: {@code FAILED}), or null when {@code value} is null or
     * blank; anything else is a 400 that names the allowed values.
     */
    static <E extends Enum<E>> E choice(String name, String value, Class<E> type) {
        if (value == null || value.isBlank()) {
            return null;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(value.trim())) {
                return e;
            }
        }
        throw ProblemException.invalidOption(name + ": expected one of " + String.join(", ",
                java.util.Arrays.stream(type.getEnumConstants()).map(Enum::name).toList()) + ", got '" + value + "'");
    }

    /** One option's raw value from either place; both places at once is a conflict the client must resolve. */
    private record Options(Map<String, JsonNode> body, Function<String, String> query) {

        String raw(String name, boolean bodyNeedsText) {
            JsonNode b = body.get(name);
            String q = query.apply(name);
            if (b != null && !b.isNull() && q != null) {
                throw ProblemException.invalidOption(name + ": given both in the body and as a query parameter; "
                        + "give it once");
            }
            if (b == null || b.isNull()) {
                return q;
            }
            if (!b.isValueNode()) {
                throw ProblemException.invalidOption(name + ": expected a single value, got " + b);
            }
            if (bodyNeedsText && !b.isTextual()) {
                throw ProblemException.invalidOption(name + ": expected a string, got " + b);
            }
            if (!bodyNeedsText && b.isTextual()) {
                throw ProblemException.invalidOption(name + ": expected a " + (name.equals("failFast") ? "boolean"
                        : "number") + ", got the string " + b);
            }
            return b.asText();
        }

        int integer(String name, int min, int max, int defaultValue) {
            String v = raw(name, false);
            return v == null ? defaultValue : OptionsParser.integer(name, v, min, max);
        }

        double number(String name, double min, double max, double defaultValue) {
            String v = raw(name, false);
            if (v == null) {
                return defaultValue;
            }
            try {
                double d = Double.parseDouble(v.trim());
                if (d >= min && d <= max) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // one message for both cases
            }
            throw ProblemException.invalidOption(name + ": expected a number from " + (int) min + " to " + (int) max
                    + ", got '" + v + "'");
        }

        Duration duration(String name, Duration defaultValue) {
            String v = raw(name, true);
            if (v == null) {
                return defaultValue;
            }
            try {
                return Durations.parse(v);
            } catch (IllegalArgumentException e) {
                throw ProblemException.invalidOption(name + ": " + e.getMessage());
            }
        }

        boolean bool(String name) {
            String v = raw(name, false);
            if (v == null) {
                return false;
            }
            return switch (v.trim()) {
                case "true" -> true;
                case "false" -> false;
                default -> throw ProblemException.invalidOption(name + ": expected true or false, got '" + v + "'");
            };
        }

        String text(String name, String defaultValue) {
            String v = raw(name, true);
            return v == null ? defaultValue : v;
        }
    }
}
