package dev.fanout.worker.lambda.quarkus;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.fanout.core.TaskError;
import dev.fanout.core.TaskResult;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.Settings;
import dev.fanout.worker.lambda.LambdaWorker;
import dev.fanout.protocol.LambdaRequest;
import dev.fanout.protocol.LambdaResponse;
import dev.fanout.protocol.WireTask;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

/**
 * The JVM Lambda worker's handler, run by the Quarkus Lambda extension ({@code ./mvnw package -Dlambda}, runtime
 * java21, handler {@code io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest}). One per sandbox
 * ({@code @Singleton}; the extension asks for the bean at every invocation): the worker must remember the tasks of
 * earlier chunks that still run, and the functions are discovered once.
 */
@Singleton
@RegisterForReflection(targets = {LambdaRequest.class, LambdaResponse.class, WireTask.class, TaskResult.class,
        TaskError.class})
public class ChunkHandler implements RequestHandler<LambdaRequest, LambdaResponse> {
    private static final Settings SETTINGS = key -> ConfigProvider.getConfig().getOptionalValue(key, String.class);
    private final LambdaWorker worker = new LambdaWorker(
            FunctionRegistry.discover(Thread.currentThread().getContextClassLoader(), SETTINGS), SETTINGS);

    @Override
    public LambdaResponse handleRequest(LambdaRequest request, Context context) {
        Instant deadline = Instant.now().plusMillis(context.getRemainingTimeInMillis());
        try {
            return worker.handle(request, context.getAwsRequestId(), deadline);
        } catch (InterruptedException e) {
            // Only the runtime interrupts this thread, when the process is ending: a task called System.exit, or the
            // sandbox is shutting down (the native worker's Quarkus poll loop interrupts its thread on shutdown). An
            // answer now would be an error of ours ("interrupted") where Lambda, once the process has ended, reports
            // what happened (Runtime.ExitError with the exit status): wait for that end, up to the deadline.
            awaitExit(deadline);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running a chunk", e);
        }
    }

    private static void awaitExit(Instant deadline) {
        for (long left; (left = Duration.between(Instant.now(), deadline).toNanos()) > 0; ) {
            LockSupport.parkNanos(left); // returns at once while interrupted: clear it, and wait on
            Thread.interrupted();
        }
    }
}
