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

/** What the Lambda tests share: the worker's function.zip, the test functions as a layer, SDK credentials. */
public final class Emulators {
    public static final String FUNCTION = "fanout-worker";
    public static final Path FUNCTION_ZIP = Path.of("target", "lambda", "function.zip");

    static {
        // the SDK's default chain reads these; the emulator accepts any credentials
        System.setProperty("aws.accessKeyId", "emulator");
        System.setProperty("aws.secretAccessKey", "emulator");
    }

    private Emulators() {
    }

    /** The real worker, with this project's test functions added as a layer. */
    public static LambdaEmulator.Config worker() {
        if (!Files.exists(FUNCTION_ZIP)) {
            throw new IllegalStateException(FUNCTION_ZIP.toAbsolutePath() + " is missing: bin/test builds it, or run "
                    + "./mvnw package -Dlambda");
        }
        try {
            Path testClasses = Path.of(Emulators.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return LambdaEmulator.Config.of(FUNCTION, FUNCTION_ZIP).withLayers(List.of(testClasses))
                    .withLog(Path.of("target", "lambda-emulator.log"));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A function of the tests' own, not fanout's worker: {@code handler} from the test classes (say
     * {@link EchoHandler}), on the java21 runtime.
     */
    public static LambdaEmulator.Config function(String name, String handler) {
        return worker().withFunctionName(name).withHandler(handler);
    }

    /**
     * The native worker's runtime, run on this JVM's classpath (so with the test functions) as a custom runtime: what
     * provided.al2023 runs from the native zip's bootstrap, minus the native compilation.
     */
    public static LambdaEmulator.Config customRuntime() {
        return worker().withBootstrap(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // an empty classpath entry would mean the sandbox's working directory: the unpacked java21 zip
                "-XX:+UseSerialGC", "-cp", java.util.Arrays.stream(System.getProperty("java.class.path")
                        .split(java.io.File.pathSeparator)).filter(e -> !e.isEmpty())
                        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator)),
                "dev.fanout.worker.lambda.RuntimeApiClient"));
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
