package dev.fanout.execution.lambda;

import dev.fanout.execution.backend.ChunkTrace;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskState;
import dev.fanout.execution.engine.EngineListener;

/**
 * One invocation as the engine's listener sees it (a span per invocation when tracing is on): what the backend
 * decided about its answer. A chunk sent again (throttled, split) is another invocation, told on its own.
 */
final class InvocationTrace {
    private final ChunkTrace chunk;
    private final int tasks;
    private boolean ended;

    InvocationTrace(ChunkTrace chunk, int tasks) {
        this.chunk = chunk;
        this.tasks = tasks;
    }

    void decided(Decision decision) {
        switch (decision) {
            case Decision.Complete c -> {
                int succeeded = (int) c.results().stream().map(TaskResult::state)
                        .filter(s -> s == TaskState.SUCCEEDED).count();
                end("answered", succeeded, c.results().size() - succeeded, null);
            }
            case Decision.Fail f -> end("failed", 0, tasks, f.type() + ": " + f.message());
            case Decision.Resend r -> end("resent", 0, 0, r.why());
            case Decision.Split s -> end("split", 0, 0, "Lambda refused the chunk as too large (413)");
        }
    }

    /** The invocation failed as a whole on this side (the backend closed, an answer it could not read). */
    void failed(String why) {
        end("failed", 0, tasks, why);
    }

    /** Once: an answer that fails while being handled is told as that failure only if not told already. */
    private void end(String outcome, int succeeded, int failed, String why) {
        if (!ended) {
            ended = true;
            chunk.ended(outcome, succeeded, failed, why);
        }
    }
}
