package dev.fanout.packaged;

import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker process, where users' function jars run, holds none of the service's secrets: the packaged service is
 * started with an API key, a store password and AWS credentials in its environment (as a deployment passes them),
 * and each worker's {@code /proc/<pid>/environ} is read as a function could read it.
 */
class WorkerEnvironmentIT {
    private static final Map<String, String> SECRETS = Map.of("FANOUT_AUTH_API_KEYS", "s3cret-api-key-4711",
            "FANOUT_STORE_PASSWORD", "db-password-4711", "AWS_SECRET_ACCESS_KEY", "aws-secret-4711",
            "AWS_ACCESS_KEY_ID", "AKIA4711");

    @Test
    void workersHoldNoneOfTheServicesSecretsButWhatTheOperatorGaveThem() throws Exception {
        PackagedService service = new PackagedService("worker-environment", List.of("-Dfanout.store.kind=memory",
                "-Dfanout.processes.workers=2", "-Dfanout.processes.environment.GREETING=hello"));
        SECRETS.forEach(service::env);
        try (service) {
            service.start();
            service.api().contentType(ContentType.JSON)
                    .body("{\"tasks\": [{\"function\": \"primes\", \"input\": {\"limit\": 1000}}]}")
                    .post("/batches?wait=60s").then().statusCode(200).body("batch.succeeded", is(1));
            String pids = service.management().get("/q/health/ready")
                    .path("checks.find { it.name == 'fanout-backends' }.data.'processes.pids'");
            List<Long> workers = List.of(pids.replaceAll("[\\[\\] ]", "").split(",")).stream()
                    .map(Long::parseLong).toList();
            assertEquals(2, workers.size(), pids);
            for (long pid : workers) {
                Map<String, String> env = environ(pid);
                SECRETS.forEach((name, secret) -> {
                    assertFalse(env.containsKey(name), "worker " + pid + " has " + name);
                    assertFalse(env.containsValue(secret), "worker " + pid + " has the value of " + name);
                });
                assertEquals("hello", env.get("GREETING"), "fanout.processes.environment.GREETING: " + env.keySet());
                assertTrue(env.containsKey("PATH"), "PATH passes by default: " + env.keySet());
            }
        }
    }

    private static Map<String, String> environ(long pid) throws Exception {
        Map<String, String> env = new HashMap<>();
        for (String entry : Files.readString(Path.of("/proc", String.valueOf(pid), "environ")).split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }
}
