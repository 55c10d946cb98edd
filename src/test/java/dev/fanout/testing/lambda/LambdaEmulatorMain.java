package dev.fanout.testing.lambda;

import dev.fanout.spi.Durations;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the Lambda emulator on its own, so that the service's {@code lambda} backend can be tried without an AWS
 * account (see bin/lambda-emulator). Options: --port 9001 --function fanout-worker --zip target/lambda/function.zip
 * --reserved-concurrency 10 --timeout 60s --memory 1024 --layer DIR (repeatable) --functions JARS (the users' function
 * jars, as {@code fanout.functions.path} takes them) --handler CLASS::METHOD (another function than the worker, e.g.
 * the tests' {@code dev.fanout.testing.lambda.EchoHandler::handleRequest} with {@code --layer target/test-classes}).
 */
public final class LambdaEmulatorMain {
    private LambdaEmulatorMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = 9001;
        LambdaEmulator.Config config = LambdaEmulator.Config.of("fanout-worker", Path.of("target/lambda/function.zip"));
        List<Path> layers = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(value);
                case "--function" -> config = new LambdaEmulator.Config(value, config.functionZip(), config.handler(),
                        config.reservedConcurrency(), config.timeout(), config.memoryMb(), config.layers(),
                        config.environment(), config.log(), config.bootstrap());
                case "--zip" -> config = new LambdaEmulator.Config(config.functionName(), Path.of(value),
                        config.handler(), config.reservedConcurrency(), config.timeout(), config.memoryMb(),
                        config.layers(), config.environment(), config.log(), config.bootstrap());
                case "--reserved-concurrency" -> config = config.withReservedConcurrency(Integer.parseInt(value));
                case "--timeout" -> config = config.withTimeout(Durations.parse(value));
                case "--memory" -> config = new LambdaEmulator.Config(config.functionName(), config.functionZip(),
                        config.handler(), config.reservedConcurrency(), config.timeout(), Integer.parseInt(value),
                        config.layers(), config.environment(), config.log(), config.bootstrap());
                case "--layer" -> layers.add(Path.of(value));
                // absolute, from where the caller stands: the sandboxes run in the unpacked function
                case "--functions" -> config = config.withFunctionJars(java.util.Arrays.stream(value.split(","))
                        .filter(e -> !e.isBlank()).map(e -> Path.of(System.getProperty("fanout.emulator.caller-dir",
                                ".")).resolve(e.trim()).toAbsolutePath().normalize().toString())
                        .collect(java.util.stream.Collectors.joining(",")));
                case "--handler" -> config = config.withHandler(value);
                case "--log" -> config = config.withLog(Path.of(value));
                default -> {
                    System.err.println("unknown option " + args[i] + "; options: --port --function --zip "
                            + "--reserved-concurrency --timeout --memory --layer --functions --handler --log");
                    System.exit(2);
                }
            }
            i++;
        }
        config = config.withLayers(layers);
        LambdaEmulator emulator = new LambdaEmulator(config, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                emulator.close(); // no sandbox outlives the emulator
            } catch (Exception e) {
                System.err.println("closing the emulator: " + e);
            }
            stopped.countDown();
        }));
        System.out.printf("""
                Lambda emulator: function %s (%s), reserved concurrency %d, timeout %s, %d MB
                Invoke API: %s   (Ctrl-C stops it and its sandboxes)
                Point the service at it, e.g. in another terminal:
                  AWS_ACCESS_KEY_ID=emulator AWS_SECRET_ACCESS_KEY=emulator bin/dev \\
                    -Dfanout.lambda.function-name=%s -Dfanout.lambda.region=us-east-1 \\
                    -Dfanout.lambda.endpoint-override=%s
                """, config.functionName(), config.functionZip(), config.reservedConcurrency(),
                Durations.format(config.timeout()), config.memoryMb(), emulator.endpoint(), config.functionName(),
                emulator.endpoint());
        stopped.await();
    }
}
