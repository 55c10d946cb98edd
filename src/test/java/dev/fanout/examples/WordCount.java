package dev.fanout.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.TaskContext;
import dev.fanout.spi.TaskFunction;

/** The README's example of a user function: counts the words of input.text. */
public class WordCount implements TaskFunction {
    public String name() { return "wordcount"; }

    public FunctionKind kind() { return FunctionKind.CPU; }

    public String description() { return "Counts the words of input.text."; }

    public JsonNode example() { return JsonNodeFactory.instance.objectNode().put("text", "to be or not to be"); }

    @Override
    public void validate(JsonNode input) throws InvalidInputException {
        if (!input.path("text").isTextual()) {
            throw new InvalidInputException("input.text: expected a string");
        }
    }

    public JsonNode apply(JsonNode input, TaskContext context) {
        String text = input.get("text").asText().strip();
        int words = text.isEmpty() ? 0 : text.split("\\s+").length;
        return JsonNodeFactory.instance.objectNode().put("words", words);
    }
}
