package dev.fanout.functions.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.core.AdaptiveLimit;
import dev.fanout.core.Backoff;
import dev.fanout.core.Connections;
import dev.fanout.core.Json;
import dev.fanout.core.KeyedLimit;
import dev.fanout.core.KeyedLimits;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.Settings;
import dev.fanout.spi.TaskContext;
import dev.fanout.spi.TaskFailedException;
import dev.fanout.spi.TaskFunction;
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

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Invokes an existing AWS Lambda function synchronously (RequestResponse) and answers its JSON response: Lambda
 * functions as tasks. Input {@code {"functionName": "name or ARN", "qualifier": null, "payload": <any JSON>}}; the
 * payload is sent as its JSON text, so an absent or null payload arrives as JSON {@code null}.
 *
 * <ul>
 *   <li>A function error ({@code X-Amz-Function-Error}) is a FUNCTION_ERROR whose message carries the function's
 *       {@code errorType} and {@code errorMessage}; so is a response that is not JSON. Both follow the batch's retries.
 *   <li>A 429 (TooManyRequestsException) fails nothing: it lowers the function's adaptive limit and the call is
 *       sent again after a backoff (the answer's Retry-After when longer, at most {@value #MAX_WAIT_SECONDS} s), as
 *       often as needed: the task's timeout or a cancel stops it. The invocations of one function (as the task names
 *       it, without qualifier: versions and aliases share the function's concurrency) share that limit
 *       ({@link KeyedLimits}); it starts at {@code fanout.invoke.max-per-function}, what Lambda took raises it
 *       again, and what says nothing about Lambda's capacity (another error, no answer) changes nothing.
 *   <li>Any other failure (5xx, no connection, an unknown function, access denied) fails the attempt, so that the
 *       batch's retries apply. The SDK itself never re-sends: a re-sent invocation would run the function again.
 * </ul>
 * Off until allowed: only the functions of {@code fanout.invoke.allowed-functions} ({@link Allowlist}) may be
 * invoked; a task naming another is refused at submission. The client is the Lambda backend's kind (Netty, the SDK's
 * default credentials chain) with its {@code fanout.lambda.region} and {@code fanout.lambda.endpoint-override}.
 *
 * <p>A host-only built-in ({@code FunctionRegistry.discover(loader, settings, hostOnly)}): the Lambda worker is built
 * without the AWS SDK, and IO tasks run in the service alone.
 */
public final class Invoke implements TaskFunction, AutoCloseable {
    static final String ALLOWED = "fanout.invoke.allowed-functions";
    static final String MAX_PER_FUNCTION = "fanout.invoke.max-per-function";
    static final String REGION = "fanout.lambda.region";
    static final String ENDPOINT = "fanout.lambda.endpoint-override";
    static final int MAX_WAIT_SECONDS = 10;
    /** Calls that found no connection, sent again before the attempt fails. */
    static final int MAX_UNSENT = 3;
    static final Backoff BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(MAX_WAIT_SECONDS));
    /** Lambda's longest function timeout: a synchronous invocation never lasts longer. */
    private static final Duration LAMBDA_MAX_TIMEOUT = Duration.ofMinutes(15);

    private volatile LambdaAsyncClient client;
    private boolean closed;
    private Allowlist allowlist = Allowlist.NONE;
    private KeyedLimits limits = new KeyedLimits(100);
    private String region;
    private URI endpoint;

    @Override
    public String name() {
        return "invoke";
    }

    @Override
    public FunctionKind kind() {
        return FunctionKind.IO;
    }

    @Override
    public String description() {
        return "Invokes an allowlisted AWS Lambda function (input: functionName, qualifier, payload); answers its JSON "
                + "response. " + (allowlist.isEmpty() ? "Disabled: no function is allowed (" + ALLOWED + ")."
                : "Allowed: " + String.join(", ", allowlist.patterns()) + ".");
    }

    @Override
    public JsonNode example() {
        ObjectNode example = Json.mapper().createObjectNode().put("functionName", "order-check");
        example.putObject("payload").put("orderId", 17);
        return example;
    }

    @Override
    public void configure(Settings settings) {
        region = settings.get(REGION).map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        endpoint = settings.get(ENDPOINT).map(String::trim).filter(s -> !s.isEmpty()).map(URI::create).orElse(null);
        allowlist = Allowlist.parse(settings.get(ALLOWED).orElse(""), region);
        int maxPerFunction = (int) settings.getLong(MAX_PER_FUNCTION, 100);
        if (maxPerFunction < 1) {
            throw new IllegalStateException(MAX_PER_FUNCTION + " must be at least 1, got " + maxPerFunction);
        }
        limits = new KeyedLimits(maxPerFunction);
    }

    KeyedLimits limits() {
        return limits;
    }

    /** Calls {@code watcher} with each function shown by name in the metrics, now and as they come. */
    public void watchFunctions(Consumer<KeyedLimit> watcher) {
        limits.watch(watcher);
    }

    /** The functions beyond those shown by name: their throttles together. */
    public KeyedLimit otherFunctions() {
        return limits.other();
    }

    @Override
    public void validate(JsonNode input) throws InvalidInputException {
        InvokeInput.parse(input, allowlist);
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) throws Exception {
        InvokeInput in = InvokeInput.parse(input, allowlist);
        InvokeRequest request = InvokeRequest.builder()
                .functionName(in.function().text())
                .qualifier(in.qualifier())
                .invocationType(InvocationType.REQUEST_RESPONSE)
                .payload(SdkBytes.fromByteArray(Json.mapper().writeValueAsBytes(in.payload())))
                .build();
        return Answers.output(in, invokeWithinLimit(in, request));
    }

    /** Sends the call under its function's limit, again after each 429, until an answer or an interrupt. */
    private InvokeResponse invokeWithinLimit(InvokeInput in, InvokeRequest request)
            throws InterruptedException, TaskFailedException {
        LambdaAsyncClient lambda = client();
        int unsent = 0;
        for (int throttles = 1; ; throttles++) {
            // looked up each time: a function beyond the first 100 is forgotten while none of its calls is in flight
            // (as during this call's backoff), and the next call must find the limit the others share
            KeyedLimits.Key target = limits.of(in.function().limitKey());
            AdaptiveLimit.Permit permit = target.acquire();
            // refused for another reason, or no answer (a connection error, a cancel): nothing learned
            KeyedLimits.Outcome outcome = KeyedLimits.Outcome.NOTHING_LEARNED;
            long wait;
            CompletableFuture<InvokeResponse> call = null;
            try {
                call = lambda.invoke(request);
                InvokeResponse response = call.get();
                outcome = KeyedLimits.Outcome.TOOK_IT; // whatever the function made of it
                return response;
            } catch (InterruptedException e) {
                call.cancel(true); // the task's timeout or a cancel: stop waiting, abort the request
                throw e;
            } catch (ExecutionException e) {
                Throwable cause = Answers.unwrap(e);
                if (Connections.neverSent(cause) && unsent < MAX_UNSENT) {
                    // no connection (a busy endpoint's full accept queue, say): nothing ran, so sent again, uncounted,
                    // a few times; a Lambda that stays unreachable fails the attempt below
                    unsent++;
                    wait = BACKOFF.nanos(unsent);
                } else if (!Answers.isThrottle(cause)) {
                    throw Answers.failure(in, cause, region);
                } else {
                    outcome = KeyedLimits.Outcome.THROTTLED;
                    wait = Math.max(BACKOFF.nanos(throttles), Answers.retryAfterNanos(cause, BACKOFF.max()));
                }
            } finally {
                target.release(permit, outcome);
            }
            Thread.sleep(Duration.ofNanos(wait));
        }
    }

    private LambdaAsyncClient client() throws TaskFailedException {
        LambdaAsyncClient c = client;
        if (c == null) {
            synchronized (this) {
                if (closed) {
                    throw new TaskFailedException("invoke is closed: the service is shutting down");
                }
                c = client;
                if (c == null) {
                    // built on first use, not at start: a native image must not hold a started client, and a
                    // service that invokes nothing needs no region
                    try {
                        c = buildClient();
                    } catch (SdkClientException | IllegalArgumentException e) {
                        throw new TaskFailedException("cannot create the Lambda client: " + e.getMessage()
                                + " (set " + REGION + ")");
                    }
                    client = c;
                }
            }
        }
        return c;
    }

    /** As the Lambda backend's client ({@code LambdaInvoker}): Netty, no SDK retries. */
    private LambdaAsyncClient buildClient() {
        LambdaAsyncClientBuilder b = LambdaAsyncClient.builder()
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        // one connection per invocation in flight, to every function together: the per-function
                        // limits are what keeps the pace, this only bounds the sockets
                        .maxConcurrency(Math.max(1000, limits.max()))
                        .maxPendingConnectionAcquires(100_000)
                        .connectionAcquisitionTimeout(Duration.ofMinutes(10))
                        // above Lambda's longest function timeout: a running invocation is never abandoned by the
                        // client (the task's timeout stops it instead)
                        .readTimeout(LAMBDA_MAX_TIMEOUT.plusSeconds(30))
                        .writeTimeout(Duration.ofSeconds(60)))
                // throttles are absorbed here and other failures retried within the batch's retries; a re-sent
                // invocation would run the function again
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        if (region != null) {
            b.region(Region.of(region));
        }
        if (endpoint != null) {
            b.endpointOverride(endpoint);
        }
        return b.build();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
