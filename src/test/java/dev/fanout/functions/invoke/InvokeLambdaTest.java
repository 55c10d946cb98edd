package dev.fanout.functions.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.ErrorType;
import dev.fanout.core.Json;
import dev.fanout.core.KeyedLimits;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.core.TaskState;
import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.engine.Engine;
import dev.fanout.execution.engine.EngineConfig;
import dev.fanout.execution.engine.EngineListener;
import dev.fanout.execution.local.LocalBackend;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.runner.TaskRunner;
import dev.fanout.spi.Settings;
import dev.fanout.spi.TaskContext;
import dev.fanout.spi.TaskFailedException;
import dev.fanout.testing.lambda.Emulators;
import dev.fanout.testing.lambda.LambdaEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.fanout.testing.Tasks.await;
import static dev.fanout.testing.Tasks.options;
import static dev.fanout.testing.Tasks.task;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * invoke tasks against a Lambda function of the tests' own ({@code EchoHandler} on AWS's Java runtime interface
 * client), through the real AWS SDK and the emulator's Invoke API on loopback, run by an engine on virtual threads as
 * the service runs them.
 */
class InvokeLambdaTest {
    private static final String ECHO = "dev.fanout.testing.lambda.EchoHandler::handleRequest";
    private final List<AutoCloseable> open = new ArrayList<>();
    private LambdaEmulator emulator;
    private FunctionRegistry functions;
    private Engine engine;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** Serves {@code echo} with this reserved concurrency; the engine may invoke it (and {@code nope}, unknown). */
    private void start(int reservedConcurrency) {
        emulator = Emulators.start(Emulators.function("echo", ECHO).withReservedConcurrency(reservedConcurrency));
        open.add(emulator);
        Settings settings = Settings.of(Map.of("fanout.invoke.allowed-functions", "echo, nope",
                "fanout.lambda.region", "us-east-1", "fanout.lambda.endpoint-override", emulator.endpoint().toString()));
        functions = FunctionRegistry.discover(getClass().getClassLoader(), settings, List.of(new Invoke()));
        open.addFirst(functions);
        Backend vt = LocalBackend.virtualThreads(new TaskRunner(functions, settings));
        engine = new Engine(functions, Map.of("vt", vt), "vt", (f, o) -> vt, new EngineConfig(100_000,
                Duration.ofHours(1), 100, Duration.ofMillis(10), Duration.ofMillis(100)), EngineListener.NONE);
        open.addFirst(engine);
        engine.start();
    }

    private KeyedLimits.Key echo() {
        return ((Invoke) functions.find("invoke").orElseThrow()).limits().of(FunctionRef.parse("echo").limitKey());
    }

    private static TaskSpec invoke(String id, String functionName, String payload) {
        return task(id, "invoke", "{\"functionName\": \"" + functionName + "\", \"payload\": " + payload + "}");
    }

    @Test
    void aThousandInvocationsOfAFunctionReservedToFiveAllSucceedWithoutAttemptsSpentOnThrottles() {
        start(5);
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            tasks.add(invoke("t" + i, "echo", "{\"i\": " + i + ", \"ms\": 20}"));
        }
        long t0 = System.nanoTime();
        // retries: 2 for a transport hiccup of the loopback (once in a CI run, a call failed before reaching the
        // function); throttles must spend none of them, which the attempts below show
        List<TaskResult> results = await(engine.submit(tasks, options(Duration.ofMinutes(2), 2, false, 1000)));
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;

        LambdaEmulator.Stats stats = emulator.stats();
        long succeeded = results.stream().filter(r -> r.state() == TaskState.SUCCEEDED).count();
        System.out.printf("invoke x1000 against reserved concurrency 5: succeeded %d, throttles %d (counted by the "
                        + "function: %d), invocations run %d, max in flight %d, limit now %d, elapsed %d ms%n",
                succeeded, stats.throttled.get(), echo().throttles(), stats.invocations.get(), stats.maxInFlight.get(),
                echo().limit(), elapsedMs);
        assertEquals(1000, succeeded, "every call succeeded in the end; failed: " + results.stream()
                .filter(r -> r.state() != TaskState.SUCCEEDED).limit(3).toList());
        int retried = 0;
        for (int i = 0; i < results.size(); i++) {
            TaskResult r = results.get(i);
            assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());
            retried += r.attempts() > 1 ? 1 : 0;
            JsonNode echo = r.output().get("echo");
            assertEquals(i, echo.get("i").asInt(), "each task gets the answer to its own payload: " + r);
            assertEquals(20, echo.get("ms").asInt());
        }
        // hundreds of calls were throttled: had a throttle cost an attempt, hundreds of tasks would show a second
        assertTrue(retried <= 3, "a throttled call is sent again within its attempt: " + retried + " tasks took more "
                + "than one attempt, against " + stats.throttled.get() + " throttles");
        assertTrue(stats.invocations.get() >= 1000 && stats.invocations.get() <= 1000 + retried,
                "each task ran once (or again after a failure of its own): " + stats.invocations.get());
        assertTrue(stats.throttled.get() > 0, "the limit starts at 100 against 5 reserved: some calls are throttled");
        assertEquals(stats.throttled.get(), echo().throttles(), "each 429 counted against the function");
        assertTrue(stats.maxInFlight.get() <= 5, "Lambda ran at most 5 at once: " + stats.maxInFlight.get());
        assertTrue(stats.throttled.get() < stats.invocations.get(), "the limit learns the reserved concurrency "
                + "instead of hammering it: " + stats.throttled.get() + " throttled for " + stats.invocations.get());
        assertTrue(echo().limit() <= 2 * 5 + 1, "the limit follows the 5 reserved: " + echo().limit());
    }

    @Test
    void aFunctionErrorFailsTheTaskWithItsTypeAndMessageAfterTheBatchsRetries() {
        start(2);
        List<TaskResult> results = await(engine.submit(List.of(
                invoke("bad", "echo", "{\"fail\": \"bad order 17\"}"),
                invoke("raw", "echo", "{\"raw\": \"not json\"}"),
                invoke("ok", "echo", "null")), options(Duration.ofMinutes(1), 2, false, 10)));
        TaskResult bad = results.get(0);
        assertEquals(ErrorType.FUNCTION_ERROR, bad.error().type(), bad.toString());
        assertEquals("echo failed: java.lang.IllegalArgumentException: bad order 17", bad.error().message());
        assertEquals(3, bad.attempts(), "retries: 2");
        TaskResult raw = results.get(1);
        assertEquals(ErrorType.FUNCTION_ERROR, raw.error().type(), raw.toString());
        assertEquals("echo answered something that is not JSON: not json", raw.error().message());
        assertEquals(3, raw.attempts());
        TaskResult ok = results.get(2);
        assertEquals(TaskState.SUCCEEDED, ok.state(), ok.toString());
        assertTrue(ok.output().get("echo").isNull(), "a null payload arrives as JSON null: " + ok.output());
        assertEquals(3, emulator.stats().functionErrors.get(), "only the failing function's three attempts");
    }

    @Test
    void aMissingFunctionFailsEachAttemptNamingIt() {
        start(1);
        TaskResult r = await(engine.submit(List.of(invoke("missing", "nope", "{}")),
                options(Duration.ofMinutes(1), 1, false, 10))).getFirst();
        assertEquals(ErrorType.FUNCTION_ERROR, r.error().type(), r.toString());
        assertTrue(r.error().message().startsWith("no Lambda function 'nope' in us-east-1 (ResourceNotFoundException: "
                + "Function not found: "), r.error().message());
        assertEquals(2, r.attempts());
    }

    @Test
    void aServiceErrorFailsTheAttemptAndTheBatchsRetriesApply() {
        start(1);
        emulator.failNextWithServiceErrors(1);
        TaskResult failed = await(engine.submit(List.of(invoke("once", "echo", "{}")),
                options(Duration.ofMinutes(1), 0, false, 10))).getFirst();
        assertEquals(ErrorType.FUNCTION_ERROR, failed.error().type(), failed.toString());
        assertEquals("Lambda failed to invoke 'echo': ServiceException (HTTP 500): Injected service error",
                failed.error().message());
        emulator.failNextWithServiceErrors(1);
        TaskResult retried = await(engine.submit(List.of(invoke("twice", "echo", "{\"n\": 1}")),
                options(Duration.ofMinutes(1), 1, false, 10))).getFirst();
        assertEquals(TaskState.SUCCEEDED, retried.state(), retried.toString());
        assertEquals(2, retried.attempts(), "the 500 cost the first attempt");
        assertEquals(1, retried.output().get("echo").get("n").asInt());
    }

    @Test
    void aLambdaThatCannotBeReachedFailsTheAttemptSayingSo() throws Exception {
        // the SDK's default chain reads these (as Emulators sets them): the failure must be the connection's
        System.setProperty("aws.accessKeyId", "emulator");
        System.setProperty("aws.secretAccessKey", "emulator");
        // a port bound and not listening: connections are refused, and no server (of a test in another JVM) can
        // take it meanwhile, as it could a port closed before the call (the call then waited for a read timeout)
        try (Socket reserved = new Socket(); Invoke invoke = new Invoke()) {
            reserved.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            String endpoint = "http://127.0.0.1:" + reserved.getLocalPort();
            invoke.configure(Settings.of(Map.of("fanout.invoke.allowed-functions", "echo",
                    "fanout.lambda.region", "us-east-1", "fanout.lambda.endpoint-override", endpoint)));
            JsonNode input = Json.mapper().readTree("{\"functionName\": \"echo\"}");
            TaskFailedException e = assertThrows(TaskFailedException.class,
                    () -> invoke.apply(input, new TaskContext("t", 1, Settings.EMPTY)));
            assertTrue(e.getMessage().startsWith("cannot reach Lambda to invoke 'echo': SdkClientException: "),
                    e.getMessage());
            assertEquals(0, invoke.limits().of(FunctionRef.parse("echo").limitKey()).inFlight());
            assertEquals(0, invoke.limits().of(FunctionRef.parse("echo").limitKey()).throttles());
        }
    }

    @Test
    void aCallThrottledForeverEndsWithItsTaskTimeout() {
        start(1);
        Batch busy = engine.submit(List.of(invoke("busy", "echo", "{\"ms\": 4000}")),
                options(Duration.ofMinutes(1), 0, false, 10));
        await().atMost(Duration.ofSeconds(30)).until(() -> emulator.inFlight() == 1);
        TaskResult waiting = await(engine.submit(List.of(invoke("waiting", "echo", "{}")),
                options(Duration.ofSeconds(1), 0, false, 10))).getFirst();
        assertEquals(ErrorType.TIMEOUT, waiting.error().type(), waiting.toString());
        assertTrue(emulator.stats().throttled.get() >= 1, "it was throttled while it waited");
        assertEquals(TaskState.SUCCEEDED, await(busy).getFirst().state());
        await().atMost(Duration.ofSeconds(30)).until(() -> echo().inFlight() == 0);
        assertEquals(1, emulator.stats().invocations.get(), "the timed-out call was stopped, not sent again");
    }
}
