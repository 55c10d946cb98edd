package dev.fanout.packaged;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Worker processes die with their service, however it dies: SIGTERM (orderly shutdown) or SIGKILL (no shutdown at
 * all: the workers see their stdin close). Runs the packaged jar (or native binary) as a user would.
 */
class NoOrphanWorkersIT {
    private Process service;

    private List<Long> startServiceWithBusyWorkers(String name) throws IOException {
        int port = PackagedService.freePort();
        int managementPort = PackagedService.freePort();
        service = new ProcessBuilder(Artifact.command(List.of("-Dquarkus.http.port=" + port,
                "-Dquarkus.management.port=" + managementPort,
                "-Dfanout.processes.workers=2", "-Dfanout.auth.enabled=false", "-Dfanout.store.kind=memory", "-Dfanout.warmup.enabled=false")))
                .redirectOutput(new File("target/no-orphan-service.log"))
                .redirectErrorStream(true).start();
        RestAssured.port = port;
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> given().port(managementPort).get("/q/health/ready").statusCode() == 200);
        given().contentType(ContentType.JSON)
                .body("{\"tasks\": [{\"function\": \"primes\", \"input\": {\"limit\": 1000000000}},"
                        + "{\"function\": \"primes\", \"input\": {\"limit\": 1000000000}}]}")
                .when().post("/batches").then().statusCode(202);
        await().atMost(Duration.ofSeconds(60)).until(() ->
                "2".equals(given().port(managementPort).get("/q/health/ready").path("checks.find { it.name == 'fanout-backends' }.data.'processes.busy'")));
        String pids = given().port(managementPort).get("/q/health/ready").path("checks.find { it.name == 'fanout-backends' }.data.'processes.pids'");
        List<Long> workers = List.of(pids.replaceAll("[\\[\\] ]", "").split(",")).stream().map(Long::parseLong).toList();
        workers.forEach(pid -> assertTrue(alive(pid), "worker " + pid + " runs"));
        return workers;
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.destroyForcibly();
        }
        RestAssured.reset();
    }

    @Test
    void workersDieWhenTheServiceIsKilled() throws Exception {
        List<Long> workers = startServiceWithBusyWorkers("sigkill");
        service.destroyForcibly(); // SIGKILL: no shutdown hook runs
        service.waitFor();
        await().atMost(Duration.ofSeconds(30)).until(() -> workers.stream().noneMatch(NoOrphanWorkersIT::alive));
    }

    @Test
    void workersDieWhenTheServiceIsStopped() throws Exception {
        List<Long> workers = startServiceWithBusyWorkers("sigterm");
        service.destroy(); // SIGTERM: orderly shutdown
        service.waitFor();
        await().atMost(Duration.ofSeconds(30)).until(() -> workers.stream().noneMatch(NoOrphanWorkersIT::alive));
    }
}
