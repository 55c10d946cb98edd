package dev.fanout.protocol;

import dev.fanout.core.TaskResult;

import java.util.List;

/**
 * The Lambda worker's answer: {@code {"results": [<task result>, ...], "protocol": 2}}, results in request order,
 * {@code protocol} the worker's {@link Protocol#VERSION} (absent from workers older than versioning).
 */
public record LambdaResponse(List<TaskResult> results, Integer protocol) {

    public LambdaResponse(List<TaskResult> results) {
        this(results, Protocol.VERSION);
    }
}
