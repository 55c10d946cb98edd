package dev.fanout.packaged;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service as a user runs it, for the packaged tests: started on a free port with the API open and its
 * own store, its management interface ({@code /q/*}: health, metrics, OpenAPI) on another free port, stopped however
 * a test needs (SIGTERM, SIGKILL), started again on the same store and ports. Each test closes it: the process never
 * outlives the test.
 */
final class PackagedService implements AutoCloseable {
    private final String name;
    private final List<String> properties;
    private final int port;
    private final int managementPort;
    private final List<String> wrapper;
    private final java.util.Map<String, String> environment = new java.util.HashMap<>();
    private boolean jar;
    private Process process;
    private Path log;
    private int starts;

    /**
     * @param name       names its log, {@code target/<name>-service.log} (one per start: {@code -2}, {@code -3}, ...)
     * @param properties {@code -Dkey=value} settings besides the ports and an open API
     */
    PackagedService(String name, List<String> properties) {
        this(name, properties, List.of());
    }

    /** @param wrapper a command the service's command line is appended to, e.g. one that starts it in a namespace */
    PackagedService(String name, List<String> properties, List<String> wrapper) {
        this.name = name;
        this.properties = List.copyOf(properties);
        this.wrapper = List.copyOf(wrapper);
        this.port = freePort();
        this.managementPort = freePort();
    }

    /** A service on a SQLite store of its own in {@code dir}. */
    static PackagedService onSqlite(String name, Path dir, String... properties) {
        List<String> p = new ArrayList<>(List.of("-Dfanout.store.path=" + dir.resolve("fanout.db")));
        p.addAll(List.of(properties));
        return new PackagedService(name, p);
    }

    /** Starts the packaged service expecting it to stop at once; answers what it printed. */
    static String failsToStart(String name, String... properties) throws Exception {
        return failsToStart(name, List.of(), properties);
    }

    /** @param wrapper a command the service's command line is appended to (another user, a namespace) */
    static String failsToStart(String name, List<String> wrapper, String... properties) throws Exception {
        File log = new File("target/" + name + "-service.log");
        List<String> p = new java.util.ArrayList<>(List.of("-Dquarkus.http.port=0", "-Dquarkus.management.port=0",
                "-Dfanout.auth.enabled=false"));
        p.addAll(List.of(properties));
        List<String> command = new java.util.ArrayList<>(wrapper);
        command.addAll(Artifact.command(p));
        Process service = new ProcessBuilder(command).redirectOutput(log).redirectErrorStream(true).start();
        try {
            assertTrue(service.waitFor(90, TimeUnit.SECONDS), "the service stopped by itself");
            assertTrue(service.exitValue() != 0, "with a failure exit code");
        } finally {
            service.destroyForcibly();
        }
        return Files.readString(log.toPath());
    }

    /** Runs the jar even where the tests run the native binary (from its next start on). */
    PackagedService jar() {
        jar = true;
        return this;
    }

    /** Adds an environment variable to the service's (from its next start on). */
    PackagedService env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    PackagedService start() {
        launch();
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                .until(() -> management().get("/q/health/ready").statusCode() == 200);
        return this;
    }

    /**
     * Starts the process without waiting for it to be ready. The start-up warm-up is off (it costs each start a few
     * seconds and is WarmUpIT's subject): a test that wants it passes {@code -Dfanout.warmup.enabled=true}.
     */
    PackagedService launch() {
        List<String> p = new ArrayList<>(List.of("-Dquarkus.http.port=" + port,
                "-Dquarkus.management.port=" + managementPort, "-Dfanout.auth.enabled=false",
                "-Dfanout.warmup.enabled=false"));
        p.addAll(properties);
        starts++;
        File log = new File("target/" + name + "-service" + (starts > 1 ? "-" + starts : "") + ".log");
        try {
            List<String> command = new ArrayList<>(wrapper);
            command.addAll(jar ? Artifact.jarCommand(p) : Artifact.command(p));
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(log).redirectErrorStream(true);
            pb.environment().putAll(environment);
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.log = log.toPath();
        return this;
    }

    /** The log of the latest start. */
    Path log() {
        return log;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    int managementPort() {
        return managementPort;
    }

    /** Requests to this service's API (its public port). */
    RequestSpecification api() {
        return RestAssured.given().port(port);
    }

    /** Requests to this service's management interface: {@code /q/health}, {@code /q/metrics}, {@code /q/openapi}. */
    RequestSpecification management() {
        return RestAssured.given().port(managementPort);
    }

    /** SIGKILL: no shutdown of any kind, as a crash or an OOM kill. */
    void kill() {
        process.destroyForcibly();
        waitForExit();
    }

    /** SIGTERM: a graceful shutdown. */
    void terminate() {
        process.destroy();
        waitForExit();
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                throw new AssertionError("the service did not stop: see target/" + name + "-service.log");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
