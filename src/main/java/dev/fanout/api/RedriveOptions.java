package dev.fanout.api;

import dev.fanout.config.BatchConfig;

import dev.fanout.api.problem.ProblemException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.config.FanoutConfig;
import dev.fanout.spi.Durations;
import dev.fanout.core.Json;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Set;

/**
 * The body of {@code POST /batches/{id}/redrive}: nothing, {@code {}}, or overrides of {@code taskTimeout},
 * {@code retries} and {@code maxConcurrency}, checked against the same ranges as a new batch's.
 */
final class RedriveOptions {
    private static final Set<String> FIELDS = Set.of("taskTimeout", "retries", "maxConcurrency");
    private static final int MAX_BODY = 64 * 1024;

    private final Duration taskTimeout;
    private final Integer retries;
    private final Integer maxConcurrency;

    RedriveOptions(BatchConfig config, JsonNode body) {
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw ProblemException.invalidOption("redrive: unknown field '" + f + "'; a redrive may override "
                        + "taskTimeout, retries and maxConcurrency");
            }
        });
        this.taskTimeout = body.hasNonNull("taskTimeout") ? timeout(config, body.get("taskTimeout")) : null;
        this.retries = body.hasNonNull("retries") ? integer("retries", body.get("retries"), 0, config.maxRetries())
                : null;
        this.maxConcurrency = body.hasNonNull("maxConcurrency") ? integer("maxConcurrency",
                body.get("maxConcurrency"), 1, OptionsParser.MAX_CONCURRENCY) : null;
    }

    /** The body as a JSON object; no body is {@code {}}. */
    static JsonNode read(InputStream body) {
        try {
            byte[] bytes = body.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw ProblemException.tooLarge("redrive: the body is over " + MAX_BODY + " bytes; it holds at most "
                        + "taskTimeout, retries and maxConcurrency");
            }
            if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
                return Json.mapper().createObjectNode();
            }
            JsonNode node = Json.mapper().readTree(bytes);
            if (!node.isObject()) {
                throw ProblemException.invalidOption("redrive: expected a JSON object such as {\"retries\": 2}, got "
                        + node.getNodeType().name().toLowerCase());
            }
            return node;
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("malformed-json", "Malformed JSON", "redrive: the body is not JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalStateException("could not read the request body", e);
        }
    }

    private static Duration timeout(BatchConfig config, JsonNode value) {
        if (!value.isTextual()) {
            throw ProblemException.invalidOption("taskTimeout: expected a string such as \"30s\", got " + value);
        }
        try {
            Duration d = Durations.parse(value.asText());
            if (!d.isZero() && d.compareTo(config.maxTaskTimeout()) <= 0) {
                return d;
            }
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalidOption("taskTimeout: " + e.getMessage());
        }
        throw ProblemException.invalidOption("taskTimeout: must be above 0 and at most "
                + Durations.format(config.maxTaskTimeout()) + " (fanout.batch.max-task-timeout)");
    }

    private static int integer(String name, JsonNode value, int min, int max) {
        if (!value.isIntegralNumber()) {
            throw ProblemException.invalidOption(name + ": expected an integer from " + min + " to " + max + ", got "
                    + value);
        }
        return OptionsParser.integer(name, value.asText(), min, max);
    }

    Duration taskTimeout() {
        return taskTimeout;
    }

    Integer retries() {
        return retries;
    }

    Integer maxConcurrency() {
        return maxConcurrency;
    }
}
