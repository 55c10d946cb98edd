package dev.fanout.execution.lambda;

import dev.fanout.core.ErrorType;
import dev.fanout.execution.lambda.Decision.Fail;
import dev.fanout.execution.lambda.Decision.Resend;
import dev.fanout.execution.lambda.Decision.Split;
import dev.fanout.execution.lambda.Outcome.ClientFailed;
import dev.fanout.execution.lambda.Outcome.FunctionFailed;
import dev.fanout.execution.lambda.Outcome.Phase;
import dev.fanout.execution.lambda.Outcome.ServiceFailed;
import dev.fanout.protocol.Protocol;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What each outcome of an invocation means for its chunk: re-sent without counting only when it never started. */
class FailurePolicyTest {
    private final FailurePolicy policy = new FailurePolicy("fanout-worker");

    private static Fail fail(Decision d, ErrorType type, String... phrases) {
        Fail f = assertInstanceOf(Fail.class, d);
        assertEquals(type, f.type(), f.message());
        for (String p : phrases) {
            assertTrue(f.message().contains(p), f.message());
        }
        return f;
    }

    @Test
    void aConnectionThatNeverOpenedIsSentAgainWithoutCountingAnAttempt() {
        Decision d = policy.decide(new ClientFailed(Phase.CONNECTING, "SdkClientException", "Connection refused"), 3);
        assertTrue(assertInstanceOf(Resend.class, d).why().contains("Connection refused"));
    }

    @Test
    void aThrottledInvocationIsSentAgainWithoutCountingAnAttempt() {
        assertInstanceOf(Resend.class, policy.decide(new ServiceFailed(429, "TooManyRequestsException",
                "Rate Exceeded."), 3));
    }

    @Test
    void aSandboxThatRetiredBeforeRunningTheChunkIsSentAgainWithoutCountingAnAttempt() {
        for (int tasks : new int[]{1, 3}) {
            assertInstanceOf(Resend.class, policy.decide(new FunctionFailed(Protocol.SANDBOX_RETIRED,
                    "a task of an earlier chunk still runs"), tasks));
        }
    }

    @Test
    void aConnectionLostAfterSendingFailsTheAttemptsSinceTheyMayHaveRun() {
        fail(policy.decide(new ClientFailed(Phase.EXCHANGING, "SdkClientException", "Read timed out"), 3),
                ErrorType.BACKEND_ERROR, "Read timed out", "may have run");
    }

    @Test
    void aServiceErrorFailsTheAttemptsSinceTheyMayHaveRun() {
        for (int status : new int[]{500, 502, 503}) {
            fail(policy.decide(new ServiceFailed(status, "ServiceException", "Internal error"), 3),
                    ErrorType.BACKEND_ERROR, "ServiceException", "may have run");
        }
    }

    @Test
    void aClientErrorBeforeAnyNetworkIsBackendError() {
        fail(policy.decide(new ClientFailed(Phase.OTHER, "SdkClientException", "Unable to load credentials"), 3),
                ErrorType.BACKEND_ERROR, "Unable to load credentials");
    }

    @Test
    void aRequestTooLargeIsSplitAndAloneItIsInvalidInput() {
        ServiceFailed tooLarge = new ServiceFailed(413, "RequestTooLargeException", "Request must be smaller");
        assertInstanceOf(Split.class, policy.decide(tooLarge, 2));
        fail(policy.decide(tooLarge, 1), ErrorType.INVALID_INPUT, "too large");
    }

    @Test
    void anUnknownFunctionIsBackendErrorNamingIt() {
        fail(policy.decide(new ServiceFailed(404, "ResourceNotFoundException", "Function not found"), 3),
                ErrorType.BACKEND_ERROR, "'fanout-worker' does not exist");
    }

    @Test
    void aCrashedChunkFailsEveryTaskOnceInsteadOfBeingSplit() {
        Outcome crash = new FunctionFailed("Runtime.ExitError", "RequestId: r Error: Runtime exited with error: "
                + "exit status 42");
        for (int tasks : new int[]{1, 4}) {
            fail(policy.decide(crash, tasks), ErrorType.WORKER_CRASHED, "Runtime.ExitError", "exit status 42");
        }
        fail(policy.decide(new FunctionFailed("Unhandled", "java.lang.OutOfMemoryError"), 4),
                ErrorType.WORKER_CRASHED, "OutOfMemoryError");
    }

    @Test
    void anExitWithTheRecycleStatusAloneIsACrash() {
        // a task may exit with 75 too: only Fanout.SandboxRetired proves that the chunk never ran
        fail(policy.decide(new FunctionFailed("Runtime.ExitError", "Runtime exited with error: exit status "
                + Protocol.RECYCLE_EXIT_STATUS), 2), ErrorType.WORKER_CRASHED, "exit status 75");
    }

    @Test
    void aSandboxTimeoutIsTimeoutForEveryTaskOfTheChunk() {
        Outcome timedOut = new FunctionFailed("Sandbox.Timedout", "Task timed out after 60.00 seconds");
        fail(policy.decide(timedOut, 1), ErrorType.TIMEOUT, "Sandbox.Timedout");
        fail(policy.decide(timedOut, 3), ErrorType.TIMEOUT, "Sandbox.Timedout", "3 tasks");
    }

    @Test
    void anAnswerTooLargeFailsItsTasksSinceTheyRan() {
        Outcome tooLarge = new FunctionFailed("Function.ResponseSizeTooLarge", "Response payload size exceeded");
        fail(policy.decide(tooLarge, 1), ErrorType.FUNCTION_ERROR, "larger than a Lambda answer may be");
        fail(policy.decide(tooLarge, 3), ErrorType.BACKEND_ERROR, "larger than a Lambda answer may be", "3 tasks");
    }

    @Test
    void aBadChunkIsInvalidInputForEveryTask() {
        fail(policy.decide(new FunctionFailed("dev.fanout.worker.lambda.BadChunkException", "unknown function 'x'"),
                3), ErrorType.INVALID_INPUT, "unknown function 'x'");
    }

    @Test
    void aWorkerOfANewerProtocolFailsEveryTaskOnceWithBackendErrorNamingBothVersions() {
        Outcome refused = new FunctionFailed("dev.fanout.worker.lambda.UnsupportedProtocolException",
                Protocol.mismatch("this Lambda worker", Protocol.VERSION - 1, Protocol.VERSION));
        for (int tasks : new int[]{1, 4}) {
            fail(policy.decide(refused, tasks), ErrorType.BACKEND_ERROR, "protocol " + (Protocol.VERSION - 1),
                    "protocol " + Protocol.VERSION);
        }
    }

    @Test
    void aWorkerOlderThanVersionsThatRefusesTheProtocolFieldIsBackendErrorNamingBothVersions() {
        // what a native worker built before versions (its JSON reader refused unknown fields) answers to our events
        Outcome refused = new FunctionFailed("dev.fanout.worker.lambda.BadChunkException", "the event is not a "
                + "chunk: Unrecognized field \"protocol\" (class dev.fanout.worker.protocol.LambdaRequest), not "
                + "marked as ignorable (2 known properties: \"tasks\", \"taskTimeout\"])");
        fail(policy.decide(refused, 4), ErrorType.BACKEND_ERROR, "protocol 1", "protocol " + Protocol.VERSION);
    }

    @Test
    void onlyLambdasOwnAnswersSayAnythingAboutItsCapacity() {
        assertEquals(FailurePolicy.Capacity.TOOK_IT, FailurePolicy.capacity(new Outcome.Answered(new byte[0])));
        assertEquals(FailurePolicy.Capacity.TOOK_IT, FailurePolicy.capacity(new FunctionFailed("Sandbox.Timedout",
                "")));
        assertEquals(FailurePolicy.Capacity.FULL, FailurePolicy.capacity(new ServiceFailed(429,
                "TooManyRequestsException", "Rate Exceeded.")));
        assertEquals(FailurePolicy.Capacity.UNKNOWN, FailurePolicy.capacity(new ServiceFailed(500, "ServiceException",
                "")));
        assertEquals(FailurePolicy.Capacity.UNKNOWN, FailurePolicy.capacity(new ClientFailed(Phase.CONNECTING,
                "SdkClientException", "Connection refused")));
    }
}
