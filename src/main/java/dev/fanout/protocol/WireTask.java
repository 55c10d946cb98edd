package dev.fanout.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.TaskSpec;

/** A task as it travels to a worker, with the attempt number its function may ask for. */
public record WireTask(String id, String function, JsonNode input, int attempt) {

    public static WireTask of(TaskSpec task, int attempt) {
        return new WireTask(task.id(), task.function(), task.input(), attempt);
    }

    public TaskSpec spec() {
        return new TaskSpec(id, function, input);
    }
}
