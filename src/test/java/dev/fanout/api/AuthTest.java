package dev.fanout.api;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * With API keys on (as in production): 401 without a key and with a wrong one; health and metrics need none, on the
 * management port (a private one).
 */
@QuarkusTest
@Tag("quarkus")
@TestProfile(AuthTest.WithKeys.class)
class AuthTest {
    @TestHTTPResource(management = true)
    URL management;

    public static class WithKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fanout.auth.enabled", "true", "fanout.auth.api-keys", "first-secret,second-secret");
        }
    }

    @Test
    void refusesACallWithoutAKeyWith401() {
        given().when().get("/functions").then().statusCode(401)
                .contentType(startsWith("application/problem+json"))
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("type", is("urn:fanout:problem:unauthenticated"))
                .body("detail", containsString("Authorization: Bearer"));
        given().contentType(ContentType.JSON).body("{\"tasks\": [{\"function\": \"noop\"}]}")
                .when().post("/batches").then().statusCode(401);
    }

    @Test
    void refusesAWrongKeyWith401AndDoesNotEchoIt() {
        // 401, not 403: a removed key and a wrong one look the same (only the current keys' digests are known)
        given().header("Authorization", "Bearer guessed-secret").when().get("/functions").then().statusCode(401)
                .header("WWW-Authenticate", containsString("error=\"invalid_token\""))
                .body("type", is("urn:fanout:problem:unauthenticated"))
                .body("detail", containsString("not accepted"))
                .body(not(containsString("guessed-secret")));
    }

    @Test
    void servesACallWithAnyConfiguredKey() {
        given().header("Authorization", "Bearer first-secret").when().get("/functions").then().statusCode(200);
        given().header("Authorization", "Bearer second-secret").contentType(ContentType.JSON)
                .body("{\"tasks\": [{\"function\": \"sleep\", \"input\": {\"duration\": \"1ms\"}}]}")
                .when().post("/batches?wait=30s").then().statusCode(200);
    }

    @Test
    void servesHealthAndMetricsWithoutAKeyOnTheManagementPortOnly() {
        for (String path : List.of("/q/health/ready", "/q/health/live", "/q/metrics", "/q/openapi")) {
            given().port(management.getPort()).when().get(path).then().statusCode(200);
            // not 401: no key would help, they are not served here
            given().when().get(path).then().statusCode(404);
            given().header("Authorization", "Bearer first-secret").when().get(path).then().statusCode(404);
        }
    }

    @Test
    void servesTheDashboardsFilesWithoutAKeyAndNothingElseThroughTheirPaths() {
        given().when().get("/ui").then().statusCode(200).contentType(startsWith("text/html"))
                .body(containsString("/ui/app.js"));
        given().when().get("/ui/app.js").then().statusCode(200).contentType(startsWith("text/javascript"))
                .header("X-Content-Type-Options", "nosniff");
        given().when().get("/ui/no-such-file.js").then().statusCode(404);
        // paths that could reach the API once normalised still need the key
        given().urlEncodingEnabled(false).when().get("/ui/..%2Fbatches").then().statusCode(401);
        given().urlEncodingEnabled(false).when().get("/ui/%2e%2e/functions").then().statusCode(401);
        given().urlEncodingEnabled(false).when().get("/ui/../functions").then().statusCode(401);
    }
}
