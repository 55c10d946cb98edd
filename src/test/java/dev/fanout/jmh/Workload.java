package dev.fanout.jmh;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.fanout.core.TaskSpec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The batch every benchmark of the suite works on: {@code tasks} no-op tasks, each answering its index, as
 * {@code bench/run}'s overhead scenario sends them ({@code {"function": "noop", "input": i}}).
 */
public final class Workload {
    /**
     * Tasks per batch. A benchmark's score is per task only at this size: {@code @OperationsPerInvocation} must be a
     * constant, so a run with another {@code -p tasks=} (the smoke test's) gives per-batch time divided by this.
     */
    public static final int TASKS = 10_000;

    private Workload() {
    }

    public static List<TaskSpec> noopTasks(int tasks) {
        List<TaskSpec> specs = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            specs.add(new TaskSpec(Integer.toString(i), "noop", IntNode.valueOf(i)));
        }
        return List.copyOf(specs);
    }

    /** The same batch as an NDJSON request body, one task a line, ids left to the service (0, 1, ...). */
    public static byte[] noopNdjson(int tasks) {
        StringBuilder body = new StringBuilder(tasks * 32);
        for (int i = 0; i < tasks; i++) {
            body.append("{\"function\": \"noop\", \"input\": ").append(i).append("}\n");
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }
}
