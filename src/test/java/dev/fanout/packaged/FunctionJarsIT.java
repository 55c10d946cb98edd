package dev.fanout.packaged;

import com.sun.net.httpserver.HttpServer;
import dev.fanout.testing.lambda.Emulators;
import dev.fanout.testing.lambda.LambdaEmulator;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user's own functions, as the quickstart's README has them: examples/functions-quickstart built against
 * fanout-spi (bin/test builds it before these tests), its jar given to the packaged service, its CPU function run on
 * worker processes and in the Lambda emulator. Against a native binary, and in the native Lambda worker, the jar was
 * built in ({@code -Dfanout.functions.path} at build time, as bin/test-native does), so it is not given again.
 */
class FunctionJarsIT {
    static final Path QUICKSTART_JAR = Path.of("examples", "functions-quickstart", "target",
            "functions-quickstart-1.0.0.jar").toAbsolutePath();
    /** Collatz over 1..999,999 in four chunks: the longest sequence starts at 837,799 (524 steps). */
    private static final String CPU_TASKS = """
            {"function": "collatz", "input": {"from": 1, "to": 250000}},
            {"function": "collatz", "input": {"from": 250001, "to": 500000}},
            {"function": "collatz", "input": {"from": 500001, "to": 750000}},
            {"function": "collatz", "input": {"from": 750001, "to": 999999}}""";

    @TempDir
    Path dir;
    private HttpServer pages;

    @BeforeAll
    static void quickstartBuilt() {
        assertTrue(Files.isRegularFile(QUICKSTART_JAR), QUICKSTART_JAR + " is missing: build it with ./mvnw -f "
                + "examples/functions-quickstart/pom.xml package after ./mvnw install (bin/test does both)");
    }

    @BeforeEach
    void servePages() throws Exception {
        pages = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        pages.createContext("/", ex -> {
            byte[] body = ("<html><title>page " + ex.getRequestURI().getPath() + "</title></html>")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        pages.start();
    }

    @AfterEach
    void stopPages() {
        pages.stop(0);
    }

    /** The service's options: the jar, unless the native binary has it built in. */
    private String[] functionJars(String... more) {
        List<String> p = new ArrayList<>(List.of(more));
        if (!Artifact.isNative()) {
            p.add("-Dfanout.functions.path=" + QUICKSTART_JAR);
        }
        return p.toArray(String[]::new);
    }

    @Test
    void theQuickstartsFunctionsAreListedWithTheirJarAndRunTheCpuOneOnWorkerProcesses() {
        try (PackagedService service = PackagedService.onSqlite("functions-jar", dir, functionJars()).start()) {
            JsonPath functions = service.api().get("/functions").then().statusCode(200).extract().jsonPath();
            for (String name : List.of("collatz", "page-title")) {
                assertTrue(functions.getString("find { it.name == '" + name + "' }.jar").endsWith(
                        "functions-quickstart-1.0.0.jar"), name + " names its jar: " + functions.prettify());
            }
            assertEquals(null, functions.getString("find { it.name == 'sleep' }.jar"), "built-ins name no jar");

            String page = "http://127.0.0.1:" + pages.getAddress().getPort() + "/hello";
            JsonPath batch = service.api().contentType(ContentType.JSON)
                    .body("{\"cpuBackend\": \"processes\", \"tasks\": [" + CPU_TASKS
                            + ", {\"id\": \"page\", \"function\": \"page-title\", \"input\": {\"url\": \"" + page + "\"}}]}")
                    .post("/batches?wait=120s").then().statusCode(200).extract().jsonPath();
            assertEquals("SUCCEEDED", batch.getString("batch.state"), batch.prettify());
            assertLongestCollatz(batch);
            for (int i = 0; i < 4; i++) {
                assertTrue(batch.getString("results[" + i + "].backend").startsWith("process:"), batch.prettify());
            }
            assertEquals("page /hello", batch.getString("results[4].output.title"));
            assertEquals("virtual-thread", batch.getString("results[4].backend"));
        }
    }

    @Test
    void theSameJarRunsInTheLambdaEmulator() throws Exception {
        // the native worker has the jar built in (bin/test-native), the JVM one reads it as the CDK app's layer gives it
        LambdaEmulator.Config worker = Emulators.worker().withLayers(List.of())
                .withLog(Path.of("target", "functions-lambda.log"));
        if (!Emulators.workerIsNative()) {
            worker = worker.withFunctionJars(QUICKSTART_JAR.toString());
        }
        try (LambdaEmulator lambda = Emulators.start(worker);
             PackagedService service = PackagedService.onSqlite("functions-lambda", dir, functionJars(
                     "-Dfanout.lambda.function-name=" + Emulators.FUNCTION, "-Dfanout.lambda.region=us-east-1",
                     "-Dfanout.lambda.endpoint-override=" + lambda.endpoint(), "-Daws.accessKeyId=emulator",
                     "-Daws.secretAccessKey=emulator")).start()) {
            JsonPath batch = service.api().contentType(ContentType.JSON)
                    .body("{\"cpuBackend\": \"lambda\", \"tasks\": [" + CPU_TASKS + "]}")
                    .post("/batches?wait=120s").then().statusCode(200).extract().jsonPath();
            assertEquals("SUCCEEDED", batch.getString("batch.state"), batch.prettify());
            assertLongestCollatz(batch);
            for (int i = 0; i < 4; i++) {
                assertTrue(batch.getString("results[" + i + "].backend").startsWith("lambda:"), batch.prettify());
            }
            assertTrue(lambda.stats().invocations.get() >= 1);
        }
    }

    @Test
    void twoVersionsOfAJarStopTheServiceNamingBoth() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Artifact.isNative(), "a native binary loads no jar at run time");
        Path copy = Files.copy(QUICKSTART_JAR, dir.resolve("copy-of-quickstart.jar"));
        String log = PackagedService.failsToStart("functions-clash", "-Dfanout.store.kind=memory",
                "-Dfanout.functions.path=" + QUICKSTART_JAR + "," + copy);
        assertTrue(log.contains("the function class com.example.functions.") && log.contains(" is in two jars"), log);
        assertTrue(log.contains(QUICKSTART_JAR.toString()) && log.contains(copy.toString()), log);
    }

    @Test
    void aNativeBinaryGivenJarsAtRunTimeSaysWhyItStops() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Artifact.isNative(), "the JVM service loads jars at run time");
        String log = PackagedService.failsToStart("functions-native", "-Dfanout.store.kind=memory", "-Dfanout.functions.path=" + QUICKSTART_JAR);
        assertTrue(log.contains("a native binary cannot load jars at run time"), log);
    }

    private static void assertLongestCollatz(JsonPath batch) {
        long best = 0;
        int bestSteps = 0;
        for (int i = 0; i < 4; i++) {
            Map<String, Object> out = batch.getMap("results[" + i + "].output");
            int steps = ((Number) out.get("steps")).intValue();
            if (steps > bestSteps) {
                bestSteps = steps;
                best = ((Number) out.get("number")).longValue();
            }
        }
        assertEquals(837799, best);
        assertEquals(524, bestSteps);
    }
}
