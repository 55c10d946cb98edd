package dev.fanout.service;

import dev.fanout.core.TaskError;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.execution.batch.BatchDetails;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.execution.batch.BatchStatus;
import dev.fanout.protocol.Chunk;
import dev.fanout.protocol.LambdaRequest;
import dev.fanout.protocol.LambdaResponse;
import dev.fanout.protocol.Reply;
import dev.fanout.protocol.WireTask;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What Jackson reads or writes by reflection in a native image, beyond what Quarkus finds by itself: the records of
 * the task model, a batch's options as the store keeps them, the worker protocol and the Lambda event (the native
 * binary is also the process and Lambda worker). Kept here so that the framework-free packages need no Quarkus
 * annotation; the API registers its own.
 */
@RegisterForReflection(targets = {TaskSpec.class, TaskResult.class, TaskError.class, BatchStatus.class,
        BatchDetails.class, BatchDetails.Progress.class, BatchDetails.Stats.class, BatchDetails.Percentiles.class,
        BatchDetails.Errors.class, BatchDetails.Bucket.class, BatchOptions.class, WireTask.class, Chunk.class, Reply.class, Reply.Hello.class, LambdaRequest.class, LambdaResponse.class})
final class NativeRegistrations {
    private NativeRegistrations() {
    }
}
