package dev.fanout.worker.lambda;

import dev.fanout.spi.Durations;
import dev.fanout.core.TaskResult;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.Settings;
import dev.fanout.runner.ChunkRunner;
import dev.fanout.runner.TaskRunner;
import dev.fanout.protocol.LambdaRequest;
import dev.fanout.protocol.Protocol;
import dev.fanout.protocol.LambdaResponse;
import dev.fanout.protocol.WireTask;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The Lambda worker's logic, called by the Quarkus extension's handler ({@code quarkus.ChunkHandler}) on java21 and
 * in the native provided.al2023 worker alike: runs one chunk and answers its results in request
 * order, each saying {@code backend: "lambda:<awsRequestId>"}. A failing function is a FAILED result inside a normal
 * answer; only a broken chunk fails the invocation ({@link BadChunkException}).
 */
public final class LambdaWorker {
    /** Answered this long before the invocation's own deadline, so that overdue tasks are TIMEOUT results. */
    static final Duration DEADLINE_MARGIN = Duration.ofMillis(1500);
    private static final Duration DEFAULT_TASK_TIMEOUT = Duration.ofMinutes(5);

    private final FunctionRegistry functions;
    private final ChunkRunner chunks;

    public LambdaWorker(FunctionRegistry functions, Settings settings) {
        this.functions = functions;
        this.chunks = new ChunkRunner(new TaskRunner(functions, settings), Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param deadline the invocation's deadline ({@code Lambda-Runtime-Deadline-Ms})
     */
    public LambdaResponse handle(LambdaRequest request, String requestId, Instant deadline) throws InterruptedException {
        if (chunks.hasRunaways()) {
            // an earlier chunk left a task running that ignored its interrupt; it would steal this chunk's CPU.
            // Only a fresh sandbox is fit: retire this one before touching the chunk, and let the invoker resend it.
            SandboxRetirement.retire(requestId, "a task of an earlier chunk still runs; this sandbox retires before "
                    + "running the chunk");
        }
        List<WireTask> tasks = check(request);
        Duration timeout = request.taskTimeout() == null ? DEFAULT_TASK_TIMEOUT : parse(request.taskTimeout());
        List<TaskResult> results = chunks.run(tasks, timeout, deadline.minus(DEADLINE_MARGIN), "lambda:" + requestId);
        return new LambdaResponse(results);
    }

    private List<WireTask> check(LambdaRequest request) {
        if (request != null && !Protocol.serves(request.protocol())) {
            throw new UnsupportedProtocolException(Protocol.mismatch("this Lambda worker", Protocol.VERSION,
                    Protocol.of(request.protocol())));
        }
        if (request == null || request.tasks() == null || request.tasks().isEmpty()) {
            throw new BadChunkException("the event has no tasks; expected {\"tasks\": [{\"id\", \"function\", "
                    + "\"input\"}], \"taskTimeout\": \"30s\"}");
        }
        for (WireTask t : request.tasks()) {
            if (t.id() == null || t.function() == null) {
                throw new BadChunkException("every task needs an id and a function");
            }
            if (functions.find(t.function()).isEmpty()) {
                throw new BadChunkException("unknown function '" + t.function() + "'; this worker knows "
                        + functions.names());
            }
        }
        return request.tasks();
    }

    private static Duration parse(String timeout) {
        try {
            return Durations.parse(timeout);
        } catch (IllegalArgumentException e) {
            throw new BadChunkException("taskTimeout: " + e.getMessage());
        }
    }
}
