package dev.fanout.testing.lambda;

import dev.fanout.execution.lambda.LambdaBackend;
import dev.fanout.execution.lambda.LambdaConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the Lambda tests share: the worker's zip, the test functions as a layer, SDK credentials. The worker under test
 * is the JVM one (java21, {@code ./mvnw package -Dlambda}) unless the system property {@value #WORKER_PROPERTY} names
 * another zip: bin/test-native names the native worker's ({@code -Dlambda -Dnative}, run from its {@code bootstrap}
 * as provided.al2023 runs it), which has the test functions and the quickstart's built in instead.
 */
public final class Emulators {
    public static final String FUNCTION = "fanout-worker";
    public static final Path FUNCTION_ZIP = Path.of("target", "lambda", "function.zip");
    public static final String WORKER_PROPERTY = "native.lambda.worker";

    static {
        // the SDK's default chain reads these; the emulator accepts any credentials
        System.setProperty("aws.accessKeyId", "emulator");
        System.setProperty("aws.secretAccessKey", "emulator");
    }

    private Emulators() {
    }

    /** The real worker under test (see the class comment), with this project's test functions added as a layer. */
    public static LambdaEmulator.Config worker() {
        return withTestFunctions(workerZip());
    }

    /** Whether the worker under test is the native one: its functions are built in, it loads no jar at run time. */
    public static boolean workerIsNative() {
        String zip = System.getProperty(WORKER_PROPERTY, "");
        return !zip.isBlank();
    }

    private static Path workerZip() {
        return workerIsNative() ? Path.of(System.getProperty(WORKER_PROPERTY)) : FUNCTION_ZIP;
    }

    /**
     * A function of the tests' own, not fanout's worker: {@code handler} from the test classes (say
     * {@link EchoHandler}), on the java21 runtime (the JVM worker's zip gives the runtime its libraries).
     */
    public static LambdaEmulator.Config function(String name, String handler) {
        return withTestFunctions(FUNCTION_ZIP).withFunctionName(name).withHandler(handler);
    }

    private static LambdaEmulator.Config withTestFunctions(Path zip) {
        if (!Files.exists(zip)) {
            throw new IllegalStateException(zip.toAbsolutePath() + " is missing: bin/test builds it, or run "
                    + "./mvnw package -Dlambda");
        }
        try {
            Path testClasses = Path.of(Emulators.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return LambdaEmulator.Config.of(FUNCTION, zip).withLayers(List.of(testClasses))
                    .withLog(Path.of("target", "lambda-emulator.log"));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static LambdaEmulator start(LambdaEmulator.Config config) {
        try {
            return new LambdaEmulator(config, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static LambdaBackend backend(LambdaEmulator emulator, int maxConcurrency) {
        return backend(emulator, FUNCTION, maxConcurrency);
    }

    public static LambdaBackend backend(LambdaEmulator emulator, String function, int maxConcurrency) {
        return backend(emulator.endpoint(), function, maxConcurrency);
    }

    /** A backend for the Lambda at {@code endpoint}, which may not be listening yet. */
    public static LambdaBackend backend(URI endpoint, String function, int maxConcurrency) {
        return new LambdaBackend(new LambdaConfig(function, Optional.of("us-east-1"), Optional.of(endpoint),
                maxConcurrency, Duration.ofMinutes(2), 6_000_000, Duration.ofMinutes(2)));
    }
}
