package dev.fanout.execution.lambda;

import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;

import java.util.List;

/** What the backend does with a chunk once its invocation's {@link Outcome} is known ({@link FailurePolicy}). */
sealed interface Decision {

    /** Every task's result, in request order; {@code protocol}: the worker's version (null: before versions). */
    record Complete(List<TaskResult> results, Integer protocol) implements Decision {
    }

    /** Every task of the chunk fails this way. */
    record Fail(ErrorType type, String message) implements Decision {
    }

    /** Send the same chunk again after a backoff, within the retry budget. */
    record Resend(String why) implements Decision {
    }

    /** Send each half of the chunk on its own. */
    record Split() implements Decision {
    }
}
