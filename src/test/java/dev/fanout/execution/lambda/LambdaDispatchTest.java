package dev.fanout.execution.lambda;

import dev.fanout.core.Backoff;
import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.core.TaskState;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.execution.engine.Engine;
import dev.fanout.execution.engine.EngineConfig;
import dev.fanout.execution.engine.EngineListener;
import dev.fanout.protocol.Protocol;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.Settings;
import dev.fanout.testing.ChunkRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.fanout.testing.Tasks.await;
import static dev.fanout.testing.Tasks.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dispatch, accounting and re-sends of the Lambda backend against a {@link ScriptedLambda}: what the real SDK and
 * the emulator cannot produce on demand, answered exactly when the test says.
 */
class LambdaDispatchTest {
    private final FunctionRegistry functions = FunctionRegistry.discover(getClass().getClassLoader(), Settings.EMPTY);
    private final ScriptedLambda lambda = new ScriptedLambda();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        functions.close();
    }

    private LambdaBackend backend(int maxConcurrency, Resender resender) {
        return new LambdaBackend(new LambdaConfig("fanout-worker", Optional.empty(), Optional.empty(),
                maxConcurrency, Duration.ofMinutes(2), 6_000_000, Duration.ofMinutes(2)), lambda, resender);
    }

    private static Resender resender(Backoff backoff) {
        return new Resender(backoff, Duration.ofMinutes(2));
    }

    private Engine engine(LambdaBackend backend) {
        return engine(backend, EngineListener.NONE);
    }

    private Engine engine(LambdaBackend backend, EngineListener listener) {
        Engine e = new Engine(functions, Map.of("lambda", backend), "lambda", (f, o) -> backend,
                new EngineConfig(10_000, Duration.ofHours(1), 100, Duration.ofMillis(10), Duration.ofMillis(100)),
                listener);
        open.add(e);
        return e;
    }

    private static BatchOptions options(int retries, int chunkSize) {
        return new BatchOptions(10_000, Duration.ofMinutes(1), retries, false, "lambda", chunkSize);
    }

    private static List<TaskSpec> primes(int n) {
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tasks.add(task("p" + i, "primes", "{\"limit\": 100}"));
        }
        return tasks;
    }

    private static Outcome throttled() {
        return new Outcome.ServiceFailed(429, "TooManyRequestsException", "Rate Exceeded.");
    }

    @Test
    void anInvocationSlotIsReleasedOnceWhenItsReSendCannotBeScheduled() throws Exception {
        Resender resender = resender(Resender.BACKOFF);
        LambdaBackend backend = backend(1, resender);
        Batch batch = engine(backend).submit(primes(1), options(0, 1));
        ScriptedLambda.Call call = lambda.next();
        // what close() does when it comes between a throttled answer and the scheduling of its re-send
        resender.close();
        call.answer(throttled());
        TaskResult r = await(batch).getFirst();
        assertEquals(0, backend.details().get("inFlight"), "the one invocation's slot is free again, once");
        assertEquals(ErrorType.BACKEND_ERROR, r.error().type());
        assertTrue(r.error().message().contains("shut down"), r.error().message());
    }

    @Test
    void anInvocationTheSdkRefusesAtOnceFailsItsChunkAndDispatchGoesOn() throws Exception {
        LambdaBackend backend = backend(1, resender(Resender.BACKOFF));
        lambda.throwOnNextInvoke(new IllegalStateException("the SDK refused the request"));
        Batch batch = engine(backend).submit(primes(2), options(0, 1));
        lambda.next().succeed(); // the other chunk still goes out: the dispatcher lives, the one slot is free again
        List<TaskResult> results = await(batch);
        assertEquals(1, results.stream().filter(r -> r.state() == TaskState.SUCCEEDED).count(), results.toString());
        TaskResult refused = results.stream().filter(r -> r.state() != TaskState.SUCCEEDED).findFirst().orElseThrow();
        assertEquals(ErrorType.BACKEND_ERROR, refused.error().type());
        assertTrue(refused.error().message().contains("the SDK refused the request"), refused.error().message());
        assertEquals(0, backend.details().get("inFlight"));
    }

    @Test
    void aListenerThatThrowsCostsNoTask() throws Exception {
        EngineListener broken = new EngineListener() {
            @Override
            public dev.fanout.execution.backend.ChunkTrace chunkSent(Batch batch, String backend, int tasks) {
                throw new IllegalStateException("a tracer bug");
            }

            @Override
            public void taskFinished(Batch batch, TaskResult result) {
                throw new IllegalStateException("a metrics bug");
            }
        };
        Batch batch = engine(backend(1, resender(Resender.BACKOFF)), broken).submit(primes(3), options(0, 1));
        for (int i = 0; i < 3; i++) {
            lambda.next().succeed();
        }
        for (TaskResult r : await(batch)) {
            assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());
        }
    }

    @Test
    void closingFailsTheTasksOfAChunkWaitingToBeSentAgain() throws Exception {
        LambdaBackend backend = backend(1, resender(new Backoff(Duration.ofMinutes(1), Duration.ofMinutes(1))));
        Batch batch = engine(backend).submit(primes(1), options(0, 1));
        lambda.next().answer(throttled()); // its re-send waits 30 to 60 s
        backend.close();
        TaskResult r = await(batch).getFirst();
        assertEquals(ErrorType.BACKEND_ERROR, r.error().type());
        assertTrue(r.error().message().contains("shut down"), r.error().message());
    }

    @Test
    void closingFailsTheTasksOfAChunkAnsweredAfterwards() throws Exception {
        LambdaBackend backend = backend(1, resender(Resender.BACKOFF));
        Batch batch = engine(backend).submit(primes(2), options(0, 2));
        ScriptedLambda.Call call = lambda.next();
        backend.close();
        call.answer(new Outcome.ServiceFailed(413, "RequestTooLargeException", "Request must be smaller"));
        for (TaskResult r : await(batch)) {
            assertEquals(ErrorType.BACKEND_ERROR, r.error().type());
            assertTrue(r.error().message().contains("shut down"), r.error().message());
        }
        assertEquals(1, lambda.sent());
    }

    @Test
    void aChunkThatNeverStartedIsSentAgainWithoutCountingAnAttempt() throws Exception {
        Batch batch = engine(backend(1, resender(Resender.BACKOFF))).submit(primes(1), options(0, 1));
        lambda.next().answer(new Outcome.ClientFailed(Outcome.Phase.CONNECTING, "SdkClientException",
                "Connection refused"));
        lambda.next().answer(throttled());
        lambda.next().answer(new Outcome.FunctionFailed(Protocol.SANDBOX_RETIRED, "retired"));
        lambda.next().succeed();
        TaskResult r = await(batch).getFirst();
        assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());
        assertEquals(1, r.attempts(), "none of the three earlier sends ran it");
    }

    private static Outcome crashed() {
        return new Outcome.FunctionFailed("Runtime.ExitError", "Runtime exited with error: exit status 42");
    }

    @Test
    void withoutRetriesACrashedChunkFailsEachOfItsTasksOnceAndIsNotSentAgain() throws Exception {
        Batch batch = engine(backend(4, resender(Resender.BACKOFF))).submit(primes(4), options(0, 4));
        // the four go out together, or in smaller chunks when the first is cut before the others are queued
        List<String> sent = new ArrayList<>();
        while (sent.size() < 4) {
            ScriptedLambda.Call call = lambda.next();
            sent.addAll(call.taskIds);
            call.answer(crashed());
        }
        for (TaskResult r : await(batch)) {
            assertEquals(ErrorType.WORKER_CRASHED, r.error().type(), r.toString());
            assertEquals(1, r.attempts());
        }
        assertEquals(List.of("p0", "p1", "p2", "p3"), sent.stream().sorted().toList(),
                "each task ran once, in a crashed invocation, and never again");
    }

    @Test
    void theRetriesOfACrashedChunkGoAloneAndCountAsSecondAttempts() throws Exception {
        Batch batch = engine(backend(4, resender(Resender.BACKOFF))).submit(primes(4), options(1, 4));
        int retries = 0;
        while (retries < 4) {
            ScriptedLambda.Call call = lambda.next();
            if (call.attempts.contains(2)) {
                assertEquals(List.of(2), call.attempts, "a retry goes alone: " + call.taskIds);
                retries++;
                call.succeed();
            } else {
                call.answer(crashed());
            }
        }
        for (TaskResult r : await(batch)) {
            assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());
            assertEquals(2, r.attempts());
        }
    }

    @Test
    void readinessShowsTheProtocolTheWorkerAnswersWith() throws Exception {
        LambdaBackend backend = backend(1, resender(Resender.BACKOFF));
        Engine engine = engine(backend);
        Batch batch = engine.submit(primes(1), options(0, 1));
        lambda.next().succeed(); // answers "protocol": 2
        await(batch);
        assertEquals(2, backend.details().get("workerProtocol"));
        batch = engine.submit(primes(1), options(0, 1));
        lambda.next().answer(new Outcome.Answered("{\"results\":[{\"id\":\"p0\",\"state\":\"SUCCEEDED\"}]}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        await(batch);
        assertEquals(1, backend.details().get("workerProtocol"), "an answer without a version is version 1");
    }

    private static int limit(LambdaBackend backend) {
        return (int) backend.details().get("concurrencyLimit");
    }

    @Test
    void aBurstOfThrottlesLowersTheLimitOnceAndSuccessesFarBelowItDoNotRaiseItBack() throws Exception {
        // throttled chunks wait a minute for their re-send: none comes back during the test
        LambdaBackend backend = backend(16, resender(new Backoff(Duration.ofMinutes(1), Duration.ofMinutes(1))));
        Engine engine = engine(backend);
        engine.submit(primes(16), options(0, 1));
        List<ScriptedLambda.Call> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            calls.add(lambda.next());
        }
        for (ScriptedLambda.Call call : calls.subList(0, 14)) {
            call.answer(throttled()); // room for 2: one burst, one piece of news
        }
        int afterBurst = limit(backend);
        assertTrue(afterBurst >= 8, "16 calls against room for 2 lower the limit once, not to " + afterBurst);
        assertTrue(afterBurst < 16);
        calls.get(14).succeed();
        calls.get(15).succeed();
        int learned = limit(backend);
        for (int i = 0; i < 20; i++) { // one call at a time: nothing learned about the ceiling
            Batch one = engine.submit(List.of(task("one" + i, "primes", "{\"limit\": 10}")), options(0, 1));
            lambda.next().succeed();
            await(one);
        }
        assertEquals(learned, limit(backend), "successes far below the limit do not raise it back");
    }

    @Test
    void theListenerHearsOfEachInvocationOnceWithWhatCameOfIt() throws Exception {
        ChunkRecorder recorder = new ChunkRecorder();
        Batch batch = engine(backend(1, resender(Resender.BACKOFF)), recorder).submit(primes(4), options(0, 2));
        // one invocation in flight at a time, all sent by the dispatcher: the recorder sees them in this order
        List<ScriptedLambda.Call> calls = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        int answered = 0;
        while (answered < 4) {
            ScriptedLambda.Call call = lambda.next();
            calls.add(call);
            if (calls.size() == 1) {
                expected.add("resent");
                call.answer(throttled());
            } else if (call.taskIds.contains("p3")) {
                expected.add("failed");
                answered += call.taskIds.size();
                call.answer(crashed());
            } else {
                expected.add("answered");
                answered += call.taskIds.size();
                call.succeed();
            }
        }
        await(batch);
        List<ChunkRecorder.Sent> chunks = recorder.chunks();
        assertEquals(expected, chunks.stream().map(c -> c.outcome).toList(), chunks.toString());
        for (int i = 0; i < calls.size(); i++) {
            ChunkRecorder.Sent chunk = chunks.get(i);
            int size = calls.get(i).taskIds.size();
            assertEquals(size, chunk.tasks, chunk.toString());
            assertEquals(LambdaBackend.NAME, chunk.backend);
            assertTrue(chunk.batch == batch, "the run the chunk belongs to");
            assertEquals(1, chunk.ends(), "told once: " + chunk);
            switch (chunk.outcome) {
                case "answered" -> assertEquals(List.of(size, 0), List.of(chunk.succeeded, chunk.failed));
                case "failed" -> {
                    assertEquals(List.of(0, size), List.of(chunk.succeeded, chunk.failed));
                    assertTrue(chunk.why.startsWith("WORKER_CRASHED"), chunk.why);
                }
                default -> {
                    assertEquals(List.of(0, 0), List.of(chunk.succeeded, chunk.failed));
                    assertTrue(chunk.why != null && !chunk.why.isBlank(), "a throttle says why");
                }
            }
        }
    }
}
