package dev.fanout.execution.lambda;

/**
 * What became of one invocation, as plain data: the SDK's answers and exceptions translated by {@link LambdaInvoker},
 * judged by {@link FailurePolicy}. Nothing here depends on the AWS SDK, so that the policy is tested without it.
 */
sealed interface Outcome {

    /** Lambda ran the function and it answered (status 200, no function error): the worker's {@code {"results"}}. */
    record Answered(byte[] payload) implements Outcome {
    }

    /**
     * Lambda ran the function (status 200) but the invocation failed as a whole: the runtime's error document, e.g.
     * {@code Sandbox.Timedout}, {@code Runtime.ExitError}, or the class name of what the worker threw.
     */
    record FunctionFailed(String errorType, String errorMessage) implements Outcome {
    }

    /** Lambda refused the call (4xx, 5xx): its status and error code, e.g. 429 {@code TooManyRequestsException}. */
    record ServiceFailed(int status, String errorCode, String message) implements Outcome {
    }

    /** The call went wrong on our side of the wire: no answer from Lambda at all. */
    record ClientFailed(Phase phase, String exception, String message) implements Outcome {
    }

    /** How far a call without an answer got. */
    enum Phase {
        /** Opening the connection failed: the request never left this process. */
        CONNECTING,
        /** The connection failed later, while the request or the answer travelled. */
        EXCHANGING,
        /** No network error at all (no credentials, a request the SDK could not build, ...). */
        OTHER
    }
}
