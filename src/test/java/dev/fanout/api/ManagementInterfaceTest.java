package dev.fanout.api;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URL;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * {@code /q/*} (health, metrics, OpenAPI) is served on the management interface only: the metrics name every API key
 * and the hosts and Lambda functions each calls, which the public port (behind the load balancer) must not show.
 */
@QuarkusTest
@Tag("quarkus")
class ManagementInterfaceTest {
    @TestHTTPResource
    URL api;
    @TestHTTPResource(management = true)
    URL management;

    @ParameterizedTest
    @ValueSource(strings = {"/q/health", "/q/health/live", "/q/health/ready", "/q/metrics", "/q/openapi",
            "/q/swagger-ui"})
    void servesQOnTheManagementPortAndNotOnThePublicOne(String path) {
        given().when().get(path).then().statusCode(404).contentType(startsWith("application/problem+json"))
                .body("detail", containsString("the API is under /batches and /functions"));
        given().port(management.getPort()).when().get(path).then().statusCode(200);
    }

    @Test
    void theManagementPortIsAPortOfItsOwnThatServesNoApi() {
        assertNotEquals(api.getPort(), management.getPort());
        given().when().get("/q").then().statusCode(404);
        given().port(management.getPort()).when().get("/functions").then().statusCode(404);
        given().port(management.getPort()).when().get("/q/metrics").then()
                .body(containsString("fanout_batches_running"));
    }
}
