package dev.fanout.api;

import dev.fanout.api.problem.Problem;
import dev.fanout.api.problem.ProblemException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.TaskSpec;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.Inputs;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.TaskFunction;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns task objects into {@link TaskSpec}s as they are read, checking each (known function, unique id, input the
 * function accepts) and collecting the first problems, so that a refused batch says which tasks to fix.
 */
final class TaskChecker {
    static final int MAX_REPORTED = 10;
    static final int MAX_ID_LENGTH = 256;
    private static final Set<String> FIELDS = Set.of("id", "function", "input");

    private final FunctionRegistry functions;
    private final int maxTasks;
    private final List<TaskSpec> tasks = new ArrayList<>();
    private final Set<String> ids = new HashSet<>();
    private final List<Problem.TaskProblem> problems = new ArrayList<>();
    private long invalid;

    TaskChecker(FunctionRegistry functions, int maxTasks) {
        this.functions = functions;
        this.maxTasks = maxTasks;
    }

    /** @param where how the client finds the task: {@code tasks[3]} or {@code line 4} */
    void accept(JsonNode node, String where) {
        int index = tasks.size();
        if (index >= maxTasks) {
            throw ProblemException.tooLarge("the batch has more than " + maxTasks + " tasks "
                    + "(fanout.batch.max-tasks); split it into several batches");
        }
        String defaultId = Integer.toString(index);
        try {
            TaskSpec task = parse(node, defaultId);
            tasks.add(task);
        } catch (InvalidInputException e) {
            tasks.add(new TaskSpec(defaultId, "", null)); // keeps indexes aligned; the batch is refused anyway
            invalid++;
            if (problems.size() < MAX_REPORTED) {
                String id = node.path("id").isValueNode() ? node.path("id").asText() : defaultId;
                problems.add(new Problem.TaskProblem(index, id, where + ": " + e.getMessage()));
            }
        }
    }

    private TaskSpec parse(JsonNode node, String defaultId) throws InvalidInputException {
        if (!node.isObject()) {
            throw new InvalidInputException("expected a task object {\"function\": ..., \"input\": ...}, got "
                    + Inputs.describe(node));
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new InvalidInputException("unknown field '" + field + "'; a task has id, function and input");
            }
        }
        String id = id(node.get("id"), defaultId);
        JsonNode fn = node.get("function");
        if (fn == null || !fn.isTextual()) {
            throw new InvalidInputException("function: required string is missing; known functions: "
                    + functions.names());
        }
        Optional<TaskFunction> function = functions.find(fn.textValue());
        if (function.isEmpty()) {
            throw new InvalidInputException("function: unknown function '" + fn.textValue() + "'; known functions: "
                    + functions.names());
        }
        JsonNode input = node.get("input");
        try {
            function.get().validate(input);
        } catch (RuntimeException | LinkageError e) {
            // a function's own bug (or a dependency missing beside its jar): the batch is refused saying so, not a 500
            throw new InvalidInputException("function '" + fn.textValue() + "' could not check its input: " + e
                    + " (a fault of the function: see its jar and its dependencies)");
        }
        if (!ids.add(id)) {
            throw new InvalidInputException("id: duplicate id '" + id + "'; ids must be unique within a batch");
        }
        return new TaskSpec(id, fn.textValue(), input);
    }

    private static String id(JsonNode id, String defaultId) throws InvalidInputException {
        if (id == null || id.isNull()) {
            return defaultId;
        }
        if (!id.isTextual() && !id.isIntegralNumber()) {
            throw new InvalidInputException("id: expected a string, got " + Inputs.describe(id));
        }
        String s = id.asText();
        if (s.isEmpty() || s.length() > MAX_ID_LENGTH) {
            throw new InvalidInputException("id: expected 1 to " + MAX_ID_LENGTH + " characters");
        }
        return s;
    }

    /** The tasks, or a 400 naming the first invalid ones. */
    List<TaskSpec> finish() {
        if (invalid > 0) {
            Problem.TaskProblem first = problems.getFirst();
            throw ProblemException.invalidTasks(invalid + " of " + tasks.size() + " tasks are invalid; the first: "
                    + first.message(), problems);
        }
        if (tasks.isEmpty()) {
            throw ProblemException.badRequest("no-tasks", "No tasks", "the batch has no tasks; send at least one "
                    + "{\"function\": ..., \"input\": ...}");
        }
        return tasks;
    }
}
