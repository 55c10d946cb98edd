package dev.fanout.execution.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Connections;
import dev.fanout.core.Json;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.lambda.LambdaAsyncClientBuilder;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeRequest;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The AWS SDK side of the backend: one synchronous (RequestResponse) invocation of the worker function per chunk,
 * answered as an {@link Outcome}, never as an exception.
 */
final class LambdaInvoker implements Invoker {
    private final LambdaAsyncClient client;
    private final String functionName;

    private LambdaInvoker(LambdaConfig config) {
        this.client = buildClient(config);
        this.functionName = config.functionName();
    }

    /** The SDK's invoker, or an unavailable one saying why the client cannot be created (no region, say). */
    static Invoker create(LambdaConfig config) {
        try {
            return new LambdaInvoker(config);
        } catch (SdkClientException | IllegalArgumentException e) {
            return Invoker.unavailable("cannot create the Lambda client: " + e.getMessage()
                    + " (set fanout.lambda.region)");
        }
    }

    private static LambdaAsyncClient buildClient(LambdaConfig config) {
        LambdaAsyncClientBuilder b = LambdaAsyncClient.builder()
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .maxConcurrency(config.maxConcurrency() + 8)
                        .maxPendingConnectionAcquires(100_000)
                        .connectionAcquisitionTimeout(Duration.ofMinutes(10))
                        // above the function's own timeout: an invocation still running is never abandoned
                        .readTimeout(config.functionTimeout().plusSeconds(30))
                        .writeTimeout(Duration.ofSeconds(60)))
                // retries are ours (backoff within the batch's budget, throttling feedback), never the SDK's:
                // a re-sent invocation would run the tasks twice
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        config.region().map(Region::of).ifPresent(b::region);
        config.endpointOverride().ifPresent(b::endpointOverride);
        return b.build();
    }

    @Override
    public CompletableFuture<Outcome> invoke(byte[] payload) {
        return client.invoke(InvokeRequest.builder()
                        .functionName(functionName)
                        .invocationType(InvocationType.REQUEST_RESPONSE)
                        .payload(SdkBytes.fromByteArray(payload))
                        .build())
                .handle((response, error) -> error == null ? answered(response) : failed(error));
    }

    static Outcome answered(InvokeResponse response) {
        byte[] payload = response.payload() == null ? new byte[0] : response.payload().asByteArray();
        if (response.functionError() == null) {
            return new Outcome.Answered(payload);
        }
        try {
            JsonNode error = Json.mapper().readTree(payload);
            return new Outcome.FunctionFailed(error.path("errorType").asText("Unhandled"),
                    error.path("errorMessage").asText(""));
        } catch (IOException e) {
            return new Outcome.FunctionFailed("Unhandled", new String(payload, StandardCharsets.UTF_8));
        }
    }

    static Outcome failed(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof AwsServiceException s) {
            String code = s.awsErrorDetails() != null && s.awsErrorDetails().errorCode() != null
                    ? s.awsErrorDetails().errorCode() : s.getClass().getSimpleName();
            return new Outcome.ServiceFailed(s.statusCode(), code, s.getMessage());
        }
        return new Outcome.ClientFailed(phase(e), e.getClass().getSimpleName(), e.getMessage());
    }

    /** CONNECTING when the request was never written ({@link Connections#neverSent}); else whether IO failed. */
    private static Outcome.Phase phase(Throwable e) {
        if (Connections.neverSent(e)) {
            return Outcome.Phase.CONNECTING;
        }
        boolean io = false;
        int depth = 0;
        for (Throwable c = e; c != null && depth++ < 20; c = c.getCause()) {
            io |= c instanceof IOException;
        }
        return io ? Outcome.Phase.EXCHANGING : Outcome.Phase.OTHER;
    }

    @Override
    public void close() {
        client.close();
    }
}
