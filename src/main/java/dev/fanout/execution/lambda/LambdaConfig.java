package dev.fanout.execution.lambda;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings of the Lambda backend.
 *
 * @param functionName     the worker function (name, ARN, or name:alias)
 * @param region           its region; empty for the SDK's default chain (AWS_REGION, profile)
 * @param endpointOverride another Lambda endpoint (the test emulator, LocalStack)
 * @param maxConcurrency   invocations in flight at most; the backend goes lower by itself while throttled
 * @param functionTimeout  the worker function's configured timeout: the HTTP read timeout is set above it, so that
 *                         the SDK never gives up on, or re-sends, an invocation that is still running
 * @param maxChunkBytes    largest request payload (AWS's limit for synchronous invocations is 6,291,456 bytes)
 * @param retryBudget      how long a chunk that provably never started (throttled, no connection) is sent again
 *                         before its tasks fail with BACKEND_ERROR (time spent throttled is time spent queued:
 *                         taskTimeout does not count it)
 */
public record LambdaConfig(String functionName, Optional<String> region, Optional<URI> endpointOverride,
                           int maxConcurrency, Duration functionTimeout, int maxChunkBytes, Duration retryBudget) {
    public static final int AWS_MAX_REQUEST_BYTES = 6_291_456;

    public LambdaConfig {
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("fanout.lambda.max-concurrency must be at least 1, got " + maxConcurrency);
        }
        if (maxChunkBytes < 1024 || maxChunkBytes > AWS_MAX_REQUEST_BYTES) {
            throw new IllegalArgumentException("max chunk bytes must be between 1024 and " + AWS_MAX_REQUEST_BYTES);
        }
    }
}
