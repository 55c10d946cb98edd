package dev.fanout.execution.lambda;

import dev.fanout.execution.backend.Backend;
import dev.fanout.execution.backend.BackendContractTest;
import dev.fanout.testing.lambda.Emulators;
import dev.fanout.testing.lambda.LambdaEmulator;
import dev.fanout.runner.TaskRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.time.Duration;

/** The backend contract, run through the real AWS SDK against the emulator serving the real Lambda worker. */
class LambdaBackendTest extends BackendContractTest {
    private static LambdaEmulator emulator;

    @BeforeAll
    static void startEmulator() {
        // a short function timeout: invocations of cancelled batches run on in Lambda (nothing can stop them) and
        // must not hold the reserved concurrency for long
        emulator = Emulators.start(Emulators.worker().withReservedConcurrency(8).withTimeout(Duration.ofSeconds(10)));
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
