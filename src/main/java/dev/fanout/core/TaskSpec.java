package dev.fanout.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import java.util.Objects;

/**
 * One task of a batch as the client submitted it: a function name and its JSON input.
 *
 * @param id       unique within its batch; the submitting layer fills in the index when the client gave none
 * @param function name of a registered {@link dev.fanout.spi.TaskFunction}
 * @param input    the function's input; never {@code null} (JSON null when absent)
 */
public record TaskSpec(String id, String function, JsonNode input) {
    public TaskSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(function, "function");
        input = input == null ? NullNode.getInstance() : input;
    }
}
