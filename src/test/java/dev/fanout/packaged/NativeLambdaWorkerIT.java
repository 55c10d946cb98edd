package dev.fanout.packaged;

import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.core.TaskState;
import dev.fanout.execution.Engine;
import dev.fanout.execution.EngineConfig;
import dev.fanout.execution.EngineListener;
import dev.fanout.execution.BatchOptions;
import dev.fanout.execution.lambda.LambdaBackend;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.Settings;
import dev.fanout.testing.lambda.Emulators;
import dev.fanout.testing.lambda.LambdaEmulator;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.fanout.testing.Tasks.await;
import static dev.fanout.testing.Tasks.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged application in its Lambda mode ({@code <binary> lambda}, what the provided.al2023 zip's bootstrap
 * runs) as a custom runtime in the emulator: on the JVM the jar, in the hosted CI's native job the native binary.
 */
class NativeLambdaWorkerIT {

    @Test
    void thePackagedApplicationServesLambdaInvocations() throws Exception {
        LambdaEmulator.Config config = Emulators.worker().withLayers(List.of())
                .withBootstrap(Artifact.command(List.of(), "lambda")).withReservedConcurrency(2);
        try (LambdaEmulator emulator = Emulators.start(config);
             FunctionRegistry functions = FunctionRegistry.discover(getClass().getClassLoader(), Settings.EMPTY)) {
            LambdaBackend backend = Emulators.backend(emulator, 2);
            try (Engine engine = new Engine(functions, Map.of("lambda", backend), "lambda", (f, o) -> backend,
                    new EngineConfig(100, Duration.ofHours(1), 10, Duration.ofMillis(10), Duration.ofMillis(100)),
                    EngineListener.NONE)) {
                List<TaskSpec> tasks = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    tasks.add(task("p" + i, "primes", "{\"limit\": 1000}"));
                }
                tasks.add(task("h", "sha256", "{\"data\": \"hello\"}"));
                List<TaskResult> results = await(engine.submit(tasks,
                        new BatchOptions(100, Duration.ofSeconds(30), 0, false, "lambda", 0)));
                for (TaskResult r : results.subList(0, 20)) {
                    assertEquals(168, r.output().get("count").asInt(), r.toString());
                    assertTrue(r.backend().startsWith("lambda:"), r.backend());
                }
                assertEquals(TaskState.SUCCEEDED, results.get(20).state());
                assertEquals("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                        results.get(20).output().get("hex").asText());
            }
        }
    }
}
