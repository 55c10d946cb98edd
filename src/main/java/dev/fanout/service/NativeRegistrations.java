package dev.fanout.service;

import dev.fanout.api.BatchResource;
import dev.fanout.api.FunctionResource;
import dev.fanout.api.Problem;
import dev.fanout.core.TaskError;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.execution.BatchStatus;
import dev.fanout.worker.protocol.Chunk;
import dev.fanout.worker.protocol.LambdaRequest;
import dev.fanout.worker.protocol.LambdaResponse;
import dev.fanout.worker.protocol.Reply;
import dev.fanout.worker.protocol.WireTask;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What Jackson reads or writes by reflection in a native image, beyond what Quarkus finds by itself: the records of
 * the API, of the worker protocol and of the Lambda event (the native binary is also the process and Lambda worker).
 * Kept here so that the framework-free packages need no Quarkus annotation.
 */
@RegisterForReflection(targets = {TaskSpec.class, TaskResult.class, TaskError.class, BatchStatus.class,
        Problem.class, Problem.TaskProblem.class, BatchResource.BatchPage.class, FunctionResource.FunctionInfo.class,
        WireTask.class, Chunk.class, Reply.class, Reply.Hello.class, LambdaRequest.class, LambdaResponse.class})
final class NativeRegistrations {
    private NativeRegistrations() {
    }
}
