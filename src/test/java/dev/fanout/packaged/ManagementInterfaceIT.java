package dev.fanout.packaged;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

/**
 * The packaged service as deployed (API keys on) serves {@code /q/*} on its management port only: the public port,
 * the one behind the load balancer, answers 404 there with a key or without (the metrics name every key and the hosts
 * and functions each calls); the management port answers without a key, for the private network.
 */
class ManagementInterfaceIT {
    private static final String KEY = "management-test-key";
    private static final List<String> PATHS = List.of("/q/health", "/q/health/ready", "/q/health/live", "/q/metrics",
            "/q/openapi");

    @Test
    void servesQOnTheManagementPortOnly() {
        try (PackagedService service = new PackagedService("management", List.of("-Dfanout.store.kind=memory",
                "-Dfanout.auth.enabled=true", "-Dfanout.auth.api-keys=" + KEY)).start()) {
            for (String path : PATHS) {
                service.api().get(path).then().statusCode(404).contentType(startsWith("application/problem+json"));
                service.api().auth().oauth2(KEY).get(path).then().statusCode(404);
                service.management().get(path).then().statusCode(200);
            }
            service.management().get("/q/metrics").then().body(containsString("key=\"api-keys[0]\""));
            service.management().get("/functions").then().statusCode(404);
            service.api().auth().oauth2(KEY).get("/functions").then().statusCode(200);
        }
    }
}
