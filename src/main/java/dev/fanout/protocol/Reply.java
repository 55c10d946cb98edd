package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.fanout.core.TaskResult;

/**
 * Worker -> service. The first frame a worker sends is a hello ({@code hello} set: its pid, once its functions are
 * loaded); every later frame is the result of task {@code index} of chunk {@code chunk}, in order.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Reply(Hello hello, long chunk, int index, TaskResult result) {

    /** The worker is up, speaking {@code protocol} (absent before versioning). */
    public record Hello(long pid, int functions, Integer protocol) {
    }

    public static Reply hello(long pid, int functions) {
        return new Reply(new Hello(pid, functions, Protocol.VERSION), 0, 0, null);
    }

    public static Reply result(long chunk, int index, TaskResult result) {
        return new Reply(null, chunk, index, result);
    }
}
