package dev.fanout.testing.jars;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.TaskContext;
import dev.fanout.spi.TaskFunction;

/**
 * A user's function, for tests that load it from a jar ({@link JarBuilder}; it is in no service file of the tests).
 * It needs {@link Salutation}, which tests put in a jar of its own, and tells what it can see of its host.
 */
public class Greet implements TaskFunction {
    @Override
    public String name() {
        return "greet";
    }

    @Override
    public FunctionKind kind() {
        return FunctionKind.IO;
    }

    @Override
    public String description() {
        return "greets input.name";
    }

    @Override
    public JsonNode example() {
        return JsonNodeFactory.instance.objectNode().put("name", "Ada");
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("greeting", Salutation.of(input.path("name").asText("nobody")));
        out.put("seesHostLibraries", visible("org.apache.hc.client5.http.classic.HttpClient"));
        out.put("seesHostClasses", visible("dev.fanout.core.Json"));
        out.put("contextLoaderIsOwn", Thread.currentThread().getContextClassLoader() == getClass().getClassLoader());
        return out;
    }

    private boolean visible(String className) {
        try {
            Class.forName(className, false, getClass().getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
