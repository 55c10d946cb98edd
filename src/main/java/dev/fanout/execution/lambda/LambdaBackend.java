package dev.fanout.execution.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Durations;
import dev.fanout.core.ErrorType;
import dev.fanout.core.Json;
import dev.fanout.core.TaskResult;
import dev.fanout.execution.Attempt;
import dev.fanout.execution.ChunkEncoder;
import dev.fanout.execution.ChunkQueues;
import dev.fanout.execution.ChunkingBackend;
import dev.fanout.protocol.LambdaResponse;
import dev.fanout.protocol.Protocol;
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
import software.amazon.awssdk.services.lambda.model.RequestTooLargeException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU tasks as AWS Lambda invocations of the worker function, through the AWS SDK's async client.
 *
 * <pre>
 *  submit -> ChunkQueues -> dispatcher: chunk by task count (about 1 s of work) and by bytes (6 MB limit)
 *         -> invoke (at most `limit` in flight) -> {"results": [...]} -> Attempt.complete, in request order
 *  429, 5xx, network errors: send again after exponential backoff with jitter, until the batch's taskTimeout is
 *       spent; each 429 also lowers `limit` (raised again by successes), so that a reserved concurrency below
 *       max-concurrency costs a few throttles, not a storm
 *  function errors: Sandbox.Timedout, Runtime.* crashes and oversized answers split the chunk in halves until the
 *       guilty task stands alone (TIMEOUT / WORKER_CRASHED / FUNCTION_ERROR); a bad chunk is INVALID_INPUT
 * </pre>
 * Timeouts are the worker's business (each task's own, inside the invocation), hence {@link #enforcesTimeouts()}.
 * Cancellation: stopped attempts are skipped when chunks are cut or sent again, and a late answer for them is dropped.
 */
public final class LambdaBackend extends ChunkingBackend {
    public static final String NAME = "lambda";
    private static final System.Logger LOG = System.getLogger(LambdaBackend.class.getName());
    private static final long TARGET_CHUNK_NANOS = 1_000_000_000L;
    private static final long BASE_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final LambdaConfig config;
    private final LambdaAsyncClient client;
    private final String unavailable;
    private final Deque<ChunkCall> resends = new ArrayDeque<>();
    private final ScheduledExecutorService backoff = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("fanout-lambda-backoff").factory());
    private int inFlight;
    private double limit;
    public final AtomicLong invocations = new AtomicLong();
    public final AtomicLong throttles = new AtomicLong();
    public final AtomicLong splits = new AtomicLong();

    public LambdaBackend(LambdaConfig config) {
        super(new ChunkQueues(TARGET_CHUNK_NANOS, 10_000), "fanout-lambda-dispatcher");
        this.config = config;
        this.limit = config.maxConcurrency();
        LambdaAsyncClient c = null;
        String why = null;
        try {
            c = buildClient(config);
        } catch (SdkClientException | IllegalArgumentException e) {
            why = "cannot create the Lambda client: " + e.getMessage() + " (set fanout.lambda.region)";
        }
        this.client = c;
        this.unavailable = why;
        startDispatcher();
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
    public String name() {
        return NAME;
    }

    @Override
    public boolean enforcesTimeouts() {
        return true;
    }

    @Override
    public String unavailableReason() {
        return unavailable;
    }

    // ---- dispatch ----

    @Override
    protected Runnable nextSend() {
        while (inFlight < (int) limit && (!resends.isEmpty() || queues.size() > 0)) {
            ChunkCall call = resends.isEmpty() ? nextCall() : resends.pollFirst().live();
            if (call == null || call.attempts().isEmpty()) {
                continue; // nothing live in it: cancelled meanwhile, or a task too big was answered
            }
            inFlight++;
            return () -> send(call);
        }
        return null;
    }

    /** Cuts a new chunk, under the lock: by count from the queues, then by bytes. */
    private ChunkCall nextCall() {
        List<Attempt> chunk = queues.nextChunk(Math.max(1, (int) limit), Integer.MAX_VALUE);
        if (chunk.isEmpty()) {
            return null;
        }
        ChunkEncoder.Encoded fits = event(chunk);
        if (fits.taskCount() == 0) {
            Attempt tooBig = chunk.getFirst();
            tooBig.complete(failure(tooBig, ErrorType.INVALID_INPUT, "the task is " + ChunkEncoder.task(tooBig).length
                    + " bytes as a Lambda event; one invocation takes at most " + config.maxChunkBytes() + " bytes"));
            queues.requeueFirst(chunk.subList(1, chunk.size()));
            return null;
        }
        queues.requeueFirst(chunk.subList(fits.taskCount(), chunk.size()));
        List<Attempt> sent = List.copyOf(chunk.subList(0, fits.taskCount()));
        // one cancelled meanwhile stays in the event (it was written); its result will be dropped
        sent.forEach(a -> a.start(NAME));
        return new ChunkCall(sent, System.nanoTime() + config.retryBudget().toNanos(), 0, fits.payload());
    }

    /** The worker's event ({@link dev.fanout.protocol.LambdaRequest}) of the longest head of the attempts that fits. */
    private ChunkEncoder.Encoded event(List<Attempt> attempts) {
        return ChunkEncoder.encode(attempts, config.maxChunkBytes(), "{\"tasks\":[", "],\"taskTimeout\":\""
                + Durations.format(attempts.getFirst().timeout()) + "\",\"protocol\":" + Protocol.VERSION + "}");
    }

    private void send(ChunkCall call) {
        byte[] payload = call.payload() != null ? call.payload()
                : event(call.attempts()).payload();
        long started = System.nanoTime();
        invocations.incrementAndGet();
        client.invoke(InvokeRequest.builder()
                        .functionName(config.functionName())
                        .invocationType(InvocationType.REQUEST_RESPONSE)
                        .payload(SdkBytes.fromByteArray(payload))
                        .build())
                .whenComplete((response, error) -> {
                    try {
                        if (error != null) {
                            failed(call, error instanceof CompletionException && error.getCause() != null
                                    ? error.getCause() : error);
                        } else {
                            answered(call, response, System.nanoTime() - started);
                        }
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.ERROR, "could not handle a Lambda answer", e);
                        finish(call, ErrorType.BACKEND_ERROR, "could not read the Lambda answer: " + e);
                    }
                });
    }

    // ---- answers ----

    private void answered(ChunkCall call, InvokeResponse response, long nanos) {
        if (response.functionError() != null) {
            functionError(call, response.payload().asByteArray());
            return;
        }
        LambdaResponse answer;
        try {
            answer = Json.mapper().readValue(response.payload().asByteArray(), LambdaResponse.class);
        } catch (IOException e) {
            finish(call, ErrorType.WORKER_CRASHED, "the Lambda worker answered something else than its results: "
                    + e.getMessage());
            return;
        }
        if (answer.results() == null || answer.results().size() != call.attempts().size()) {
            finish(call, ErrorType.WORKER_CRASHED, "the Lambda worker answered "
                    + (answer.results() == null ? "no" : answer.results().size()) + " results for "
                    + call.attempts().size() + " tasks");
            return;
        }
        lock.lock();
        try {
            queues.measured(call.attempts().getFirst().batchId(), nanos / call.attempts().size());
            limit = Math.min(config.maxConcurrency(), limit + 1);
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < call.attempts().size(); i++) {
            call.attempts().get(i).complete(answer.results().get(i));
        }
        release();
    }

    /** The invocation failed as a whole: find out which task is to blame by halving, or blame the whole chunk. */
    private void functionError(ChunkCall call, byte[] payload) {
        String type = "Unhandled";
        String message = "";
        try {
            JsonNode error = Json.mapper().readTree(payload);
            type = error.path("errorType").asText(type);
            message = error.path("errorMessage").asText("");
        } catch (IOException e) {
            message = new String(payload, java.nio.charset.StandardCharsets.UTF_8);
        }
        String described = "Lambda " + type + (message.isEmpty() ? "" : ": " + message);
        if (type.equals("Runtime.ExitError") && message.endsWith("exit status " + Protocol.RECYCLE_EXIT_STATUS)) {
            resendLater(call, "the sandbox retired itself before running the chunk");
        } else if (type.endsWith("BadChunkException")) {
            finish(call, ErrorType.INVALID_INPUT, "the Lambda worker refused the chunk: " + message);
        } else if (call.attempts().size() > 1) {
            split(call);
        } else if (type.equals("Sandbox.Timedout")) {
            finish(call, ErrorType.TIMEOUT, described + " (the function's own timeout)");
        } else if (type.equals("Function.ResponseSizeTooLarge")) {
            finish(call, ErrorType.FUNCTION_ERROR, "the task's result is larger than a Lambda answer may be: " + message);
        } else {
            finish(call, ErrorType.WORKER_CRASHED, described);
        }
    }

    private void failed(ChunkCall call, Throwable error) {
        if (error instanceof TooManyRequestsException) {
            lock.lock();
            try {
                throttles.incrementAndGet();
                limit = Math.max(1, Math.min(limit, inFlight) * 0.7);
            } finally {
                lock.unlock();
            }
            resendLater(call, "throttled (TooManyRequestsException)");
        } else if (error instanceof RequestTooLargeException && call.attempts().size() > 1) {
            split(call);
        } else if (error instanceof RequestTooLargeException) {
            finish(call, ErrorType.INVALID_INPUT, "Lambda refused the task as too large: " + error.getMessage());
        } else if (error instanceof ResourceNotFoundException) {
            finish(call, ErrorType.BACKEND_ERROR, "the Lambda function '" + config.functionName()
                    + "' does not exist: " + error.getMessage());
        } else if (error instanceof AwsServiceException s && s.statusCode() >= 500
                || error instanceof SdkClientException && error.getCause() instanceof IOException) {
            resendLater(call, error.getClass().getSimpleName() + ": " + error.getMessage());
        } else {
            finish(call, ErrorType.BACKEND_ERROR, "Lambda invocation failed: " + error);
        }
    }

    private void split(ChunkCall call) {
        splits.incrementAndGet();
        lock.lock();
        try {
            List<ChunkCall> halves = call.halves();
            resends.addFirst(halves.get(1));
            resends.addFirst(halves.get(0));
            inFlight--;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Exponential backoff with jitter, within the retry budget; past it the tasks fail with the last error. */
    private void resendLater(ChunkCall call, String why) {
        long step = Math.min(MAX_BACKOFF_NANOS, BASE_BACKOFF_NANOS << Math.min(20, call.tries()));
        long wait = ThreadLocalRandom.current().nextLong(step / 2, step + 1);
        if (closed) {
            finish(call, ErrorType.BACKEND_ERROR, "the Lambda backend is shut down");
            return;
        }
        if (System.nanoTime() + wait > call.deadlineNanos()) {
            finish(call, ErrorType.BACKEND_ERROR, "Lambda kept failing for longer than fanout.lambda.retry-budget ("
                    + dev.fanout.core.Durations.format(config.retryBudget()) + "); last: " + why);
            return;
        }
        release();
        backoff.schedule(() -> {
            lock.lock();
            try {
                resends.addLast(call.retried());
                changed.signal();
            } finally {
                lock.unlock();
            }
        }, wait, TimeUnit.NANOSECONDS);
    }

    private void finish(ChunkCall call, ErrorType type, String message) {
        for (Attempt a : call.attempts()) {
            a.complete(failure(a, type, message));
        }
        release();
    }

    private void release() {
        lock.lock();
        try {
            inFlight--;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    private static TaskResult failure(Attempt a, ErrorType type, String message) {
        return TaskResult.failed(a.task().id(), type, message, a.number(), NAME, null, 0);
    }

    // ---- observability and shutdown ----

    @Override
    public Map<String, Object> details() {
        lock.lock();
        try {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("function", config.functionName());
            d.put("inFlight", inFlight);
            d.put("concurrencyLimit", (int) limit);
            d.put("queued", queues.size());
            d.put("invocations", invocations.get());
            d.put("throttles", throttles.get());
            return d;
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected String closedReason() {
        return "the Lambda backend is shut down";
    }

    @Override
    protected List<Attempt> drainWaiting() {
        List<Attempt> waiting = queues.drain();
        resends.forEach(c -> waiting.addAll(c.attempts()));
        resends.clear();
        return waiting;
    }

    @Override
    protected void closeResources() {
        backoff.shutdownNow();
        if (client != null) {
            client.close();
        }
    }
}
