package dev.fanout.execution.lambda;

import dev.fanout.core.ErrorType;
import dev.fanout.core.Json;
import dev.fanout.execution.lambda.Decision.Complete;
import dev.fanout.execution.lambda.Decision.Fail;
import dev.fanout.execution.lambda.Decision.Resend;
import dev.fanout.execution.lambda.Decision.Split;
import dev.fanout.execution.lambda.Outcome.Answered;
import dev.fanout.execution.lambda.Outcome.ClientFailed;
import dev.fanout.execution.lambda.Outcome.FunctionFailed;
import dev.fanout.execution.lambda.Outcome.ServiceFailed;
import dev.fanout.protocol.LambdaResponse;
import dev.fanout.protocol.Protocol;

import java.io.IOException;

/**
 * Decides what an invocation's {@link Outcome} means for its chunk of {@code tasks}: a pure function, no I/O. A chunk
 * is sent again without counting an attempt only when it provably never started; whatever may have run costs each of
 * its tasks one attempt ({@link Decision.Fail}), and the engine decides on retries.
 * <pre>
 *  outcome                                          decision
 *  answered, one result per task                    Complete (the answer's protocol too)
 *  answered something else                          Fail WORKER_CRASHED
 *  function error Fanout.SandboxRetired             Resend (the worker says it retired before touching the chunk)
 *  function error UnsupportedProtocolException      Fail BACKEND_ERROR naming both versions (never split or re-sent)
 *  BadChunkException refusing the "protocol" field  Fail BACKEND_ERROR naming both versions (a worker before versions)
 *  BadChunkException                                Fail INVALID_INPUT (the worker ran nothing)
 *  Sandbox.Timedout                                 Fail TIMEOUT             } every task of the chunk, once:
 *  Function.ResponseSizeTooLarge                    Fail FUNCTION_ERROR      } the sandbox ran it, how far is
 *                                                   (a chunk: BACKEND_ERROR) } unknown; no split, which would
 *  Runtime.ExitError (even status 75), other        Fail WORKER_CRASHED      } run the others again unseen
 *  429 TooManyRequestsException                     Resend (and the limit learns)
 *  413 RequestTooLargeException                     Split; a single task: Fail INVALID_INPUT
 *  404 ResourceNotFoundException                    Fail BACKEND_ERROR naming the function
 *  5xx                                              Fail BACKEND_ERROR (the invocation may have run)
 *  other 4xx                                        Fail BACKEND_ERROR
 *  no connection (refused, timeout, DNS, no route)  Resend
 *  connection lost once the request was sent        Fail BACKEND_ERROR (the invocation may have run)
 *  client error without network (credentials, ...)  Fail BACKEND_ERROR
 * </pre>
 */
final class FailurePolicy {
    private static final String COUNTED = ", so it counts as an attempt (retried within the batch's retries)";
    private final String functionName;

    FailurePolicy(String functionName) {
        this.functionName = functionName;
    }

    /** What an outcome says about Lambda's capacity, for the {@link dev.fanout.core.AdaptiveLimit}. */
    enum Capacity {
        /** Lambda took the invocation (and ran the function, whatever came of it). */
        TOOK_IT,
        /** Lambda refused it for lack of capacity (429). */
        FULL,
        /** Nothing about capacity: refused for another reason, or no answer from Lambda at all. */
        UNKNOWN
    }

    static Capacity capacity(Outcome outcome) {
        return switch (outcome) {
            case Answered a -> Capacity.TOOK_IT;
            case FunctionFailed f -> Capacity.TOOK_IT;
            case ServiceFailed s -> s.status() == 429 ? Capacity.FULL : Capacity.UNKNOWN;
            case ClientFailed c -> Capacity.UNKNOWN;
        };
    }

    Decision decide(Outcome outcome, int tasks) {
        return switch (outcome) {
            case Answered a -> answered(a.payload(), tasks);
            case FunctionFailed f -> functionFailed(f, tasks);
            case ServiceFailed s -> serviceFailed(s, tasks);
            case ClientFailed c -> clientFailed(c);
        };
    }

    /** Only a connection that never opened proves that the request never reached Lambda. */
    private static Decision clientFailed(ClientFailed c) {
        String error = c.exception() + ": " + c.message();
        return switch (c.phase()) {
            case CONNECTING -> new Resend("could not connect to Lambda (" + error + ")");
            case EXCHANGING -> new Fail(ErrorType.BACKEND_ERROR, "the connection to Lambda failed after the invocation "
                    + "was sent (" + error + "): it may have run" + COUNTED);
            case OTHER -> new Fail(ErrorType.BACKEND_ERROR, "Lambda invocation failed: " + error);
        };
    }

    private static Decision answered(byte[] payload, int tasks) {
        LambdaResponse answer;
        try {
            answer = Json.mapper().readValue(payload, LambdaResponse.class);
        } catch (IOException e) {
            return new Fail(ErrorType.WORKER_CRASHED, "the Lambda worker answered something else than its results: "
                    + e.getMessage());
        }
        if (answer.results() == null || answer.results().size() != tasks) {
            return new Fail(ErrorType.WORKER_CRASHED, "the Lambda worker answered "
                    + (answer.results() == null ? "no" : answer.results().size()) + " results for " + tasks + " tasks");
        }
        return new Complete(answer.results(), answer.protocol());
    }

    /**
     * The invocation failed as a whole, and only the sandbox knows how far it got: every task of the chunk may have
     * run, so each fails this attempt (the engine retries within the batch's retries, each retry alone). Splitting
     * the chunk to find the guilty task would run the others again behind their results' back.
     */
    private static Decision functionFailed(FunctionFailed f, int tasks) {
        String type = f.errorType();
        String message = f.errorMessage();
        if (type.equals(Protocol.SANDBOX_RETIRED)) {
            return new Resend("the sandbox retired itself before running the chunk");
        } else if (type.endsWith("UnsupportedProtocolException")) {
            // the worker's message names its version and ours; sent again or halved it would refuse again
            return new Fail(ErrorType.BACKEND_ERROR, "the Lambda worker refused this service's protocol "
                    + Protocol.VERSION + ": " + message);
        } else if (type.endsWith("BadChunkException") && message.contains("Unrecognized field \"protocol\"")) {
            // a native worker built before versions: its JSON reader refused fields it did not know
            return new Fail(ErrorType.BACKEND_ERROR, Protocol.mismatch("the Lambda worker (older than protocol "
                    + "versions: it refuses the event's \"protocol\" field)", 1, Protocol.VERSION));
        } else if (type.endsWith("BadChunkException")) {
            return new Fail(ErrorType.INVALID_INPUT, "the Lambda worker refused the chunk: " + message);
        }
        String described = "Lambda " + type + (message.isEmpty() ? "" : ": " + message);
        String chunk = tasks == 1 ? "" : " (the invocation ran a chunk of " + tasks + " tasks, each of which counts "
                + "this attempt)";
        return switch (type) {
            case "Sandbox.Timedout" -> new Fail(ErrorType.TIMEOUT, described + " (the function's own timeout)" + chunk);
            case "Function.ResponseSizeTooLarge" -> tasks == 1
                    ? new Fail(ErrorType.FUNCTION_ERROR, "the task's result is larger than a Lambda answer may be: "
                    + message)
                    : new Fail(ErrorType.BACKEND_ERROR, "the results were larger than a Lambda answer may be ("
                    + message + ")" + chunk);
            // Runtime.ExitError with status 75 too: a task may exit with it as well as a retiring sandbox
            default -> new Fail(ErrorType.WORKER_CRASHED, described + chunk);
        };
    }

    private Decision serviceFailed(ServiceFailed s, int tasks) {
        if (s.status() == 429) {
            return new Resend("throttled (TooManyRequestsException)");
        } else if (s.status() == 413 && tasks > 1) {
            return new Split();
        } else if (s.status() == 413) {
            return new Fail(ErrorType.INVALID_INPUT, "Lambda refused the task as too large: " + s.message());
        } else if (s.status() == 404) {
            return new Fail(ErrorType.BACKEND_ERROR, "the Lambda function '" + functionName + "' does not exist: "
                    + s.message());
        } else if (s.status() >= 500) {
            return new Fail(ErrorType.BACKEND_ERROR, "Lambda answered " + s.status() + " " + s.errorCode() + " ("
                    + s.message() + "): the invocation may have run" + COUNTED);
        }
        return new Fail(ErrorType.BACKEND_ERROR, "Lambda invocation failed: " + s.errorCode() + ": " + s.message());
    }
}
