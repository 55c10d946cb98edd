package dev.fanout.testing.lambda;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One execution environment: a JVM running AWS's runtime interface client on the function's code (java21), or the
 * zip's own {@code bootstrap} (provided.al2023, the native worker), and the Runtime API it polls
 * ({@code /2018-06-01/runtime/...}) on a port of its own, as in a real Lambda sandbox.
 */
final class Sandbox implements AutoCloseable {
    private static final String RUNTIME = "/2018-06-01/runtime";

    private final LambdaEmulator.Config config;
    private final HttpServer runtimeApi;
    private final Path tmp;
    private final Process process;
    private final BlockingQueue<Invocation> next = new LinkedBlockingQueue<>();
    private volatile Invocation current;
    /** The invocation the runtime took ({@code /next}); until then, {@link #current} has not reached the function. */
    private volatile Invocation taken;
    private final Consumer<byte[]> delivered;
    private volatile boolean dead;

    /** @param delivered told of each event the runtime takes */
    Sandbox(LambdaEmulator.Config config, Path taskRoot, Path jniLibrary, Consumer<byte[]> delivered)
            throws IOException {
        this.config = config;
        this.delivered = delivered;
        runtimeApi = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        runtimeApi.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        runtimeApi.createContext(RUNTIME, this::handle);
        runtimeApi.start();
        // each sandbox has a /tmp of its own, as on AWS: the runtime client unpacks its JNI library there, and
        // sandboxes sharing one would overwrite it under each other's feet
        tmp = Files.createTempDirectory("fanout-lambda-sandbox-tmp-");
        process = start(taskRoot, jniLibrary);
        process.onExit().thenRun(this::exited);
    }

    private Process start(Path taskRoot, Path jniLibrary) throws IOException {
        List<String> classpath = new ArrayList<>(List.of(taskRoot.toString(), taskRoot.resolve("lib") + "/*"));
        config.layers().forEach(l -> classpath.add(l.toString()));
        classpath.addAll(LambdaEmulator.runtimeInterfaceClientJars());
        Path bootstrap = taskRoot.resolve(LambdaEmulator.BOOTSTRAP);
        // a custom runtime's bootstrap, as provided.al2023 runs it; -Xmx stands in for the sandbox's memory limit
        List<String> command = !config.bootstrap().isEmpty() ? config.bootstrap()
                : Files.isRegularFile(bootstrap) ? List.of(bootstrap.toString(), "-Xmx" + config.memoryMb() + "m")
                : List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + config.memoryMb() + "m", "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + tmp,
                "-Dcom.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI=" + jniLibrary,
                "-cp", String.join(File.pathSeparator, classpath),
                "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", config.handler());
        ProcessBuilder b = new ProcessBuilder(command).directory(taskRoot.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        if (config.log() != null) {
            b.redirectOutput(ProcessBuilder.Redirect.appendTo(config.log().toFile()));
        }
        Map<String, String> env = b.environment();
        env.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + runtimeApi.getAddress().getPort());
        env.put("AWS_LAMBDA_FUNCTION_NAME", config.functionName());
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", String.valueOf(config.memoryMb()));
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "emulator");
        env.put("AWS_SECRET_ACCESS_KEY", "emulator");
        env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        env.put("TMPDIR", tmp.toString());
        env.put("_HANDLER", config.handler());
        // what the managed Java runtimes do unless the function sets JAVA_TOOL_OPTIONS itself
        env.put("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1");
        env.putAll(config.environment());
        return b.start();
    }

    boolean isDead() {
        return dead;
    }

    /** Runs one invocation here; the function timeout counts from when the runtime picks it up. */
    CompletableFuture<Invocation.Outcome> invoke(Invocation invocation) {
        current = invocation;
        if (dead) {
            exited();
        } else {
            next.add(invocation);
        }
        return invocation.outcome;
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath().substring(RUNTIME.length());
        try (ex) {
            if (path.equals("/invocation/next") && ex.getRequestMethod().equals("GET")) {
                nextInvocation(ex);
            } else if (path.startsWith("/invocation/") && path.endsWith("/response")) {
                byte[] body = ex.getRequestBody().readAllBytes();
                Invocation inv = matching(path);
                if (inv != null && body.length > LambdaEmulator.MAX_RESPONSE_BYTES) {
                    inv.fail("Function.ResponseSizeTooLarge", "Response payload size exceeded maximum allowed "
                            + "payload size (" + LambdaEmulator.MAX_RESPONSE_BYTES + " bytes).");
                } else if (inv != null) {
                    inv.succeed(body);
                }
                ex.sendResponseHeaders(202, -1);
            } else if (path.startsWith("/invocation/") && path.endsWith("/error")) {
                byte[] body = ex.getRequestBody().readAllBytes();
                Invocation inv = matching(path);
                if (inv != null) {
                    inv.failWith(body);
                }
                ex.sendResponseHeaders(202, -1);
            } else if (path.equals("/init/error")) {
                byte[] body = ex.getRequestBody().readAllBytes();
                Invocation inv = current;
                if (inv != null) {
                    inv.failWith(body);
                }
                ex.sendResponseHeaders(202, -1);
                close();
            } else {
                ex.sendResponseHeaders(404, -1);
            }
        }
    }

    private void nextInvocation(HttpExchange ex) throws IOException {
        Invocation inv;
        try {
            inv = next.take(); // the long poll: the runtime waits here between invocations
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        taken = inv;
        delivered.accept(inv.event);
        long deadline = System.currentTimeMillis() + config.timeout().toMillis();
        CompletableFuture.delayedExecutor(config.timeout().toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (inv.fail("Sandbox.Timedout", "RequestId: " + inv.requestId + " Error: Task timed out after "
                    + String.format("%.2f", config.timeout().toMillis() / 1000.0) + " seconds")) {
                close(); // Lambda restarts the environment of a timed-out invocation
            }
        });
        var headers = ex.getResponseHeaders();
        headers.add("Lambda-Runtime-Aws-Request-Id", inv.requestId);
        headers.add("Lambda-Runtime-Deadline-Ms", String.valueOf(deadline));
        headers.add("Lambda-Runtime-Invoked-Function-Arn", LambdaEmulator.arn(config.functionName()));
        headers.add("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0");
        headers.add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, inv.event.length);
        ex.getResponseBody().write(inv.event);
    }

    private Invocation matching(String path) {
        Invocation inv = current;
        String id = path.substring("/invocation/".length(), path.lastIndexOf('/'));
        return inv != null && inv.requestId.equals(id) ? inv : null;
    }

    private void exited() {
        dead = true;
        Invocation inv = current;
        if (inv != null && inv == taken) {
            inv.fail("Runtime.ExitError", "RequestId: " + inv.requestId + " Error: Runtime exited with error: "
                    + (process.isAlive() ? "killed" : "exit status " + process.exitValue()));
        } else if (inv != null) {
            // its runtime ended (say, right after answering the previous one) without asking for it
            inv.undelivered();
        }
        cleanUp();
    }

    @Override
    public void close() {
        dead = true;
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cleanUp();
    }

    private void cleanUp() {
        runtimeApi.stop(0);
        try {
            LambdaEmulator.deleteTree(tmp);
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
