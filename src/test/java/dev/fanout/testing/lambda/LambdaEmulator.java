package dev.fanout.testing.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fanout.core.Json;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A small, faithful AWS Lambda for tests and local runs, bridging the two real protocols: the Invoke API
 * ({@code POST /2015-03-31/functions/{name}/invocations}, what the AWS SDK calls) and the Runtime API that AWS's own
 * Java runtime interface client polls inside each sandbox. The function's code is the real {@code function.zip},
 * run as the java21 runtime runs it. Reserved concurrency (429 beyond it), the function timeout (Sandbox.Timedout,
 * then a fresh sandbox), crashes (Runtime.ExitError), unhandled errors and the payload limits behave as on AWS.
 */
public final class LambdaEmulator implements AutoCloseable {
    static final int MAX_REQUEST_BYTES = 6_291_456;
    static final int MAX_RESPONSE_BYTES = 6_291_556;
    static final int MAX_EVENT_BYTES = 262_144;
    private static final String INVOKE = "/2015-03-31/functions/";
    /** What a custom runtime's zip (provided.al2023) holds at its root, and Lambda runs in each sandbox. */
    static final String BOOTSTRAP = "bootstrap";

    /**
     * @param handler     the java21 runtime's handler (run by AWS's runtime interface client)
     * @param bootstrap   for a custom runtime (provided.al2023): the command that plays the zip's {@code bootstrap};
     *                    empty to run the zip's own {@code bootstrap} when it has one (a native worker), and the
     *                    java21 runtime otherwise
     * @param layers      more code for the sandboxes' classpath, as Lambda layers add (tests add their own functions)
     * @param environment the function's environment variables
     * @param log         where the sandboxes' output goes (null: discarded)
     */
    public record Config(String functionName, Path functionZip, String handler, int reservedConcurrency,
                         Duration timeout, int memoryMb, List<Path> layers, Map<String, String> environment,
                         Path log, List<String> bootstrap) {
        public Config(String functionName, Path functionZip, String handler, int reservedConcurrency,
                      Duration timeout, int memoryMb, List<Path> layers, Map<String, String> environment, Path log) {
            this(functionName, functionZip, handler, reservedConcurrency, timeout, memoryMb, layers, environment, log,
                    List.of());
        }

        public static Config of(String functionName, Path functionZip) {
            return new Config(functionName, functionZip,
                    "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest", 10,
                    Duration.ofSeconds(60), 1024, List.of(), Map.of(), null);
        }

        public Config withFunctionName(String name) {
            return new Config(name, functionZip, handler, reservedConcurrency, timeout, memoryMb, layers, environment,
                    log, bootstrap);
        }

        public Config withBootstrap(List<String> command) {
            return new Config(functionName, functionZip, handler, reservedConcurrency, timeout, memoryMb, layers,
                    environment, log, List.copyOf(command));
        }

        public Config withReservedConcurrency(int n) {
            return new Config(functionName, functionZip, handler, n, timeout, memoryMb, layers, environment, log,
                    bootstrap);
        }

        public Config withTimeout(Duration t) {
            return new Config(functionName, functionZip, handler, reservedConcurrency, t, memoryMb, layers,
                    environment, log, bootstrap);
        }

        public Config withLayers(List<Path> l) {
            return new Config(functionName, functionZip, handler, reservedConcurrency, timeout, memoryMb, l,
                    environment, log, bootstrap);
        }

        public Config withHandler(String h) {
            return new Config(functionName, functionZip, h, reservedConcurrency, timeout, memoryMb, layers,
                    environment, log, bootstrap);
        }

        /** Adds environment variables of the function (on AWS: the function's configuration). */
        public Config withEnvironment(Map<String, String> more) {
            Map<String, String> env = new java.util.HashMap<>(environment);
            env.putAll(more);
            return new Config(functionName, functionZip, handler, reservedConcurrency, timeout, memoryMb, layers,
                    Map.copyOf(env), log, bootstrap);
        }

        /**
         * The users' function jars, as the CDK app ships them: a layer the worker reads through
         * {@code FANOUT_FUNCTIONS_PATH} (here the jars where they are, rather than unpacked under /opt).
         */
        public Config withFunctionJars(String path) {
            return withEnvironment(Map.of("FANOUT_FUNCTIONS_PATH", path));
        }

        public Config withLog(Path l) {
            return new Config(functionName, functionZip, handler, reservedConcurrency, timeout, memoryMb, layers,
                    environment, l, bootstrap);
        }
    }

    /** Counters tests read. */
    public static final class Stats {
        public final AtomicInteger invocations = new AtomicInteger();
        public final AtomicInteger throttled = new AtomicInteger();
        public final AtomicInteger timedOut = new AtomicInteger();
        public final AtomicInteger functionErrors = new AtomicInteger();
        public final AtomicInteger sandboxesStarted = new AtomicInteger();
        public final AtomicInteger maxInFlight = new AtomicInteger();
        public final AtomicInteger serviceErrors = new AtomicInteger();
        public final AtomicInteger lostAnswers = new AtomicInteger();
        /** By task id: how many times an event holding the task was handed to a function's runtime. */
        private final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();

        /** How many times the task reached a function: an upper bound of how many times it ran. */
        public int deliveries(String taskId) {
            AtomicInteger n = deliveries.get(taskId);
            return n == null ? 0 : n.get();
        }

        void delivered(byte[] event) {
            try {
                for (JsonNode task : Json.mapper().readTree(event).path("tasks")) {
                    deliveries.computeIfAbsent(task.path("id").asText(), k -> new AtomicInteger()).incrementAndGet();
                }
            } catch (IOException e) {
                // not a chunk: nothing to count
            }
        }
    }

    private final Config config;
    private final Path taskRoot;
    private final Path jniLibrary;
    private final HttpServer invokeApi;
    private final Deque<Sandbox> idle = new ArrayDeque<>();
    private final List<Sandbox> all = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger injectedErrors = new AtomicInteger();
    private final AtomicInteger answersToLose = new AtomicInteger();
    private final Stats stats = new Stats();

    public LambdaEmulator(Config config, int port) throws IOException {
        this.config = config;
        this.taskRoot = unzip(config.functionZip());
        this.jniLibrary = extractJniLibrary(taskRoot.resolveSibling(taskRoot.getFileName() + "-jni.so"));
        invokeApi = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        invokeApi.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        invokeApi.createContext(INVOKE, this::invoke);
        invokeApi.start();
    }

    /** Where the AWS SDK should send its calls ({@code endpointOverride}). */
    public URI endpoint() {
        try {
            return new URI("http://127.0.0.1:" + invokeApi.getAddress().getPort());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public Stats stats() {
        return stats;
    }

    /** Invocations running now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Fault injection: the next {@code n} invocations fail with a 500 ServiceException, as in an AWS hiccup. */
    public void failNextWithServiceErrors(int n) {
        injectedErrors.set(n);
    }

    /**
     * Fault injection: the next {@code n} invocations run, but their connection breaks before the answer is sent, as
     * when a network path fails or an idle timeout cuts a long call.
     */
    public void loseNextAnswers(int n) {
        answersToLose.set(n);
    }

    private void invoke(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String name = path.substring(INVOKE.length(), path.length() - "/invocations".length());
            if (!ex.getRequestMethod().equals("POST") || !path.endsWith("/invocations")) {
                error(ex, 404, "ResourceNotFoundException", "{\"Type\":\"User\",\"message\":\"Unknown operation\"}");
                return;
            }
            if (!name.equals(config.functionName()) && !name.equals(arn(config.functionName()))) {
                error(ex, 404, "ResourceNotFoundException", "{\"Type\":\"User\",\"message\":\"Function not found: "
                        + arn(name) + "\"}");
                return;
            }
            byte[] event = ex.getRequestBody().readNBytes(MAX_REQUEST_BYTES + 1);
            String type = String.valueOf(ex.getRequestHeaders().getFirst("X-Amz-Invocation-Type"));
            int limit = type.equals("Event") ? MAX_EVENT_BYTES : MAX_REQUEST_BYTES;
            if (event.length > limit) {
                error(ex, 413, "RequestTooLargeException", "{\"Type\":\"User\",\"message\":\"Request must be smaller "
                        + "than " + limit + " bytes for the InvokeFunction operation\"}");
                return;
            }
            if (type.equals("DryRun")) {
                ex.sendResponseHeaders(204, -1);
                return;
            }
            if (injectedErrors.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                stats.serviceErrors.incrementAndGet();
                error(ex, 500, "ServiceException", "{\"Type\":\"Service\",\"message\":\"Injected service error\"}");
                return;
            }
            int now = inFlight.incrementAndGet();
            if (now > config.reservedConcurrency()) {
                inFlight.decrementAndGet();
                stats.throttled.incrementAndGet();
                ex.getResponseHeaders().add("Retry-After", "1");
                error(ex, 429, "TooManyRequestsException", "{\"Reason\":\"ReservedFunctionConcurrentInvocationLimit"
                        + "Exceeded\",\"Type\":\"User\",\"message\":\"Rate Exceeded.\"}");
                return;
            }
            stats.maxInFlight.accumulateAndGet(now, Math::max);
            stats.invocations.incrementAndGet();
            Invocation inv = new Invocation(UUID.randomUUID().toString(), event);
            if (type.equals("Event")) {
                ex.sendResponseHeaders(202, -1);
                run(inv);
                return;
            }
            Invocation.Outcome outcome = run(inv);
            if (answersToLose.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                stats.lostAnswers.incrementAndGet();
                return; // closing the exchange before any response closes the connection
            }
            var headers = ex.getResponseHeaders();
            headers.add("Content-Type", "application/json");
            headers.add("X-Amz-Executed-Version", "$LATEST");
            headers.add("x-amzn-RequestId", inv.requestId);
            if (outcome.functionError()) {
                stats.functionErrors.incrementAndGet();
                headers.add("X-Amz-Function-Error", "Unhandled");
                if (new String(outcome.payload(), StandardCharsets.UTF_8).contains("Sandbox.Timedout")) {
                    stats.timedOut.incrementAndGet();
                }
            }
            ex.sendResponseHeaders(200, outcome.payload().length == 0 ? -1 : outcome.payload().length);
            ex.getResponseBody().write(outcome.payload());
        }
    }

    private Invocation.Outcome run(Invocation inv) throws IOException {
        try {
            for (Invocation attempt = inv; ; attempt = attempt.again()) {
                Sandbox sandbox = acquire();
                Invocation.Outcome outcome;
                try {
                    outcome = sandbox.invoke(attempt).join();
                } finally {
                    release(sandbox);
                }
                if (outcome != Invocation.UNDELIVERED) {
                    return outcome;
                }
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private synchronized Sandbox acquire() throws IOException {
        Sandbox s;
        while ((s = idle.pollFirst()) != null) {
            if (!s.isDead()) {
                return s;
            }
        }
        all.removeIf(Sandbox::isDead);
        stats.sandboxesStarted.incrementAndGet();
        s = new Sandbox(config, taskRoot, jniLibrary, stats::delivered);
        all.add(s);
        return s;
    }

    private synchronized void release(Sandbox s) {
        if (s.isDead()) {
            all.remove(s);
        } else {
            idle.addFirst(s); // warm first, as Lambda reuses the most recent environment
        }
    }

    private static void error(HttpExchange ex, int status, String code, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("X-Amzn-ErrorType", code);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    static String arn(String name) {
        return name.startsWith("arn:") ? name : "arn:aws:lambda:us-east-1:000000000000:function:" + name;
    }

    /** The runtime interface client and what it needs, from this JVM's classpath (the test dependencies). */
    static List<String> runtimeInterfaceClientJars() {
        List<String> jars = new ArrayList<>();
        for (String cls : List.of("com.amazonaws.services.lambda.runtime.api.client.AWSLambda",
                "com.amazonaws.services.lambda.runtime.serialization.PojoSerializer",
                "com.amazonaws.services.lambda.runtime.Context",
                "software.amazon.awssdk.utilslite.SdkInternalThreadLocal")) {
            try {
                jars.add(Path.of(Class.forName(cls).getProtectionDomain().getCodeSource().getLocation().toURI())
                        .toString());
            } catch (ClassNotFoundException | URISyntaxException e) {
                throw new IllegalStateException("the Lambda runtime interface client is not on the classpath: " + cls, e);
            }
        }
        return jars;
    }

    /**
     * The runtime client unpacks its JNI library to the fixed path /tmp/.libaws-lambda-jni.so, which on AWS is
     * private to each sandbox but here would be shared by all of them (one overwriting it while another loads it
     * crashes the JVM): unpack it once, and point every sandbox at it.
     */
    private static Path extractJniLibrary(Path target) throws IOException {
        String arch = System.getProperty("os.arch").contains("aarch64") ? "aarch_64" : "x86_64";
        String name = "/jni/libaws-lambda-jni.linux-" + arch + ".so";
        try (InputStream in = runtimeInterfaceClientClass().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("the runtime interface client has no " + name);
            }
            Files.copy(in, target);
        }
        return target;
    }

    private static Class<?> runtimeInterfaceClientClass() {
        try {
            return Class.forName("com.amazonaws.services.lambda.runtime.api.client.AWSLambda");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the Lambda runtime interface client is not on the classpath", e);
        }
    }

    private static Path unzip(Path zip) throws IOException {
        if (!Files.exists(zip)) {
            throw new IOException(zip + " does not exist: build the Lambda worker first (./mvnw package -Dlambda)");
        }
        Path dir = Files.createTempDirectory("fanout-lambda-task-");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                Path target = dir.resolve(e.getName()).normalize();
                if (!target.startsWith(dir)) {
                    throw new IOException("zip entry outside the task root: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target);
                    if (e.getName().equals(BOOTSTRAP)) {
                        target.toFile().setExecutable(true); // a zip entry carries no mode here; Lambda runs it
                    }
                }
            }
        }
        return dir;
    }

    @Override
    public void close() throws IOException {
        invokeApi.stop(0);
        List<Sandbox> sandboxes;
        synchronized (this) {
            sandboxes = new ArrayList<>(all);
            all.clear();
            idle.clear();
        }
        sandboxes.forEach(Sandbox::close);
        deleteTree(taskRoot);
        Files.deleteIfExists(jniLibrary);
    }

    /** Deletes a directory and what it holds (the unpacked task root, a sandbox's /tmp). */
    static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
