package dev.fanout.worker.protocol;

import dev.fanout.core.TaskResult;

import java.util.List;

/** The Lambda worker's answer: {@code {"results": [<task result>, ...]}}, in request order. */
public record LambdaResponse(List<TaskResult> results) {
}
