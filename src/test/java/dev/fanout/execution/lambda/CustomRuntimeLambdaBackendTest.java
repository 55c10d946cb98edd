package dev.fanout.execution.lambda;

import dev.fanout.execution.Backend;
import dev.fanout.execution.BackendContractTest;
import dev.fanout.testing.lambda.Emulators;
import dev.fanout.testing.lambda.LambdaEmulator;
import dev.fanout.runner.TaskRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.time.Duration;

/**
 * The backend contract against the native worker's runtime (provided.al2023: our Runtime API client instead of
 * AWS's java21 runtime), run on the JVM inside the emulator.
 */
class CustomRuntimeLambdaBackendTest extends BackendContractTest {
    private static LambdaEmulator emulator;

    @BeforeAll
    static void startEmulator() {
        emulator = Emulators.start(Emulators.customRuntime().withReservedConcurrency(8)
                .withTimeout(Duration.ofSeconds(10)));
    }

    @AfterAll
    static void stopEmulator() throws IOException {
        emulator.close();
    }

    @Override
    protected Backend createBackend(TaskRunner runner) {
        return Emulators.backend(emulator, 8);
    }

    @Override
    protected String backendLabelPrefix() {
        return "lambda:";
    }
}
