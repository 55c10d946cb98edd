package dev.fanout.api;

import dev.fanout.api.problem.ProblemException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.fanout.core.Json;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.TaskContext;
import dev.fanout.spi.TaskFunction;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskCheckerTest {
    /** A user's function whose check has a bug of its own. */
    static final class Buggy implements TaskFunction {
        public String name() {
            return "buggy";
        }

        public FunctionKind kind() {
            return FunctionKind.IO;
        }

        public String description() {
            return "validate throws";
        }

        public JsonNode example() {
            return NullNode.getInstance();
        }

        @Override
        public void validate(JsonNode input) {
            throw new NullPointerException("input.size is null");
        }

        public JsonNode apply(JsonNode input, TaskContext context) {
            return input;
        }
    }

    @Test
    void aFunctionWhoseCheckThrowsRefusesTheTaskSayingSoRatherThanFailingTheRequest() throws Exception {
        TaskChecker checker = new TaskChecker(new FunctionRegistry(List.of(new Buggy())), 10);
        checker.accept(Json.mapper().readTree("{\"function\": \"buggy\", \"input\": {}}"), "tasks[0]");
        ProblemException refused = org.junit.jupiter.api.Assertions.assertThrows(ProblemException.class, checker::finish);
        assertEquals(400, refused.problem().status());
        String message = refused.getMessage();
        assertTrue(message.contains("tasks[0]: function 'buggy' could not check its input: "
                + "java.lang.NullPointerException: input.size is null"), message);
    }
}
