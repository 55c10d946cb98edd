package dev.fanout.execution.process;

import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.execution.batch.Batch;
import dev.fanout.execution.batch.BatchOptions;
import dev.fanout.execution.engine.Engine;
import dev.fanout.protocol.Protocol;
import dev.fanout.testing.FutureWorkerMain;
import dev.fanout.testing.NoopAgent;
import dev.fanout.worker.process.WorkerCommand;
import dev.fanout.testing.Engines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

import static dev.fanout.testing.Tasks.await;
import static dev.fanout.testing.Tasks.task;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real worker processes whose start-up goes wrong after the fact: the pool answers every task and heals. */
class ProcessPoolFaultsTest {
    private final Engines engines = new Engines();

    @TempDir
    Path dir;

    private Engine engineWith(ProcessBackend pool) {
        return engines.around("p", pool);
    }

    @AfterEach
    void close() throws Exception {
        engines.close();
    }

    private static BatchOptions oneByOne() {
        return new BatchOptions(1000, Duration.ofMinutes(1), 0, false, "p", 1);
    }

    private static List<String> workerCommand(String... jvmOptions) {
        List<String> options = new ArrayList<>(List.of("-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError"));
        options.addAll(List.of(jvmOptions));
        return WorkerCommand.detect(options);
    }

    /** A shell script that runs {@code command}: deleting it makes the worker command unstartable. */
    private Path script(List<String> command) throws Exception {
        Path script = dir.resolve("worker.sh");
        String words = command.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
        Files.writeString(script, "#!/bin/sh\nexec " + words + "\n");
        assertTrue(script.toFile().setExecutable(true));
        return script;
    }

    @Test
    void aPoolWhoseWorkersFailToStartHealsOnceTheyCan() throws Exception {
        Path agent = dir.resolve("agent.jar"); // not there yet: every worker JVM fails at start-up
        ProcessBackend pool = new ProcessBackend(new ProcessPoolConfig(1, workerCommand("-javaagent:" + agent), 0,
                Duration.ofSeconds(30), Duration.ofHours(1), Map.of())
                .withRestartBackoff(Duration.ofMillis(50), Duration.ofMillis(400)));
        Engine e = engineWith(pool);
        await().atMost(Duration.ofSeconds(60)).until(() -> pool.stats().startFailures.get() >= 5);
        assertNotNull(pool.unavailableReason());
        assertTrue(pool.unavailableReason().contains("keep failing at start-up"), pool.unavailableReason());

        writeAgentJar(agent);
        await().atMost(Duration.ofSeconds(60)).until(() -> pool.unavailableReason() == null);
        TaskResult r = await(e.submit(List.of(task("after", "primes", "{\"limit\": 100}")), oneByOne())).getFirst();
        assertEquals(25, r.output().get("count").asInt(), r.toString());
    }

    /** A real agent jar whose Premain-Class is on the workers' classpath (they run from the test classpath). */
    private static void writeAgentJar(Path jar) throws Exception {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", NoopAgent.class.getName());
        Path partial = jar.resolveSibling(jar.getFileName() + ".partial");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(partial), manifest)) {
            out.flush(); // a manifest is all an agent jar needs
        }
        Files.move(partial, jar, StandardCopyOption.ATOMIC_MOVE); // a worker starting now sees all of it or nothing
    }

    @Test
    void workersSpeakingAProtocolThePoolCannotServeFailToStartSayingBothVersions() {
        List<String> command = new ArrayList<>(workerCommand());
        command.set(command.size() - 1, FutureWorkerMain.class.getName()); // in place of WorkerMain
        ProcessBackend pool = new ProcessBackend(new ProcessPoolConfig(1, command, 0, Duration.ofSeconds(30),
                Duration.ofHours(1), Map.of()));
        Engine e = engineWith(pool);
        Batch batch = e.submit(List.of(task("x", "noop", "1")), oneByOne()); // waits for the first worker's hello

        TaskResult r = await(batch).getFirst();
        assertEquals(ErrorType.BACKEND_ERROR, r.error().type(), r.toString());
        for (String said : List.of(r.error().message(), pool.unavailableReason())) {
            assertTrue(said.contains("protocol " + FutureWorkerMain.PROTOCOL), said);
            assertTrue(said.contains("protocol " + Protocol.VERSION), said);
        }
        assertEquals(ProcessPoolConfig.MAX_START_FAILURES, pool.stats().startFailures.get());
    }

    @Test
    void tasksWaitingWhenWorkersCanNoLongerBeStartedFailWithBackendError() throws Exception {
        Path script = script(workerCommand());
        ProcessBackend pool = new ProcessBackend(new ProcessPoolConfig(1, List.of(script.toString()), 0,
                Duration.ofSeconds(30), Duration.ofHours(1), Map.of()));
        Engine e = engineWith(pool);
        List<TaskSpec> tasks = new ArrayList<>(List.of(task("long", "sleep", "{\"duration\": \"1h\"}")));
        for (int i = 0; i < 4; i++) {
            tasks.add(task("waiting" + i, "noop", String.valueOf(i)));
        }
        Batch batch = e.submit(tasks, oneByOne());
        await().atMost(Duration.ofSeconds(30)).until(() -> batch.status().running() == 1 && pool.queueDepth() == 4);
        Files.delete(script);
        long worker = pool.pids().getFirst();
        ProcessHandle.of(worker).orElseThrow().destroyForcibly();

        List<TaskResult> results = await(batch);
        assertEquals(ErrorType.WORKER_CRASHED, results.getFirst().error().type(), results.getFirst().toString());
        for (TaskResult r : results.subList(1, results.size())) {
            assertEquals(ErrorType.BACKEND_ERROR, r.error().type(), r.toString());
            assertTrue(r.error().message().contains("cannot start " + script), r.error().message());
        }
    }
}
