package dev.fanout.packaged;

import dev.fanout.testing.store.PostgresServer;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A database that hangs (PostgreSQL SIGSTOPped: connections open, no answers) holds up the requests that need it and
 * nothing else: result streams wait for it, while the event loop stays free, so `/q/health/live` (on the management
 * port, served by the same event loop) and requests that need no database still answer at once. (Result streams read
 * the store on the event loop; with it paused, the service's one event loop froze and liveness gave no answer in 10 s.)
 */
class StorePausedIT {
    @Test
    void resultStreamsWaitForAPausedDatabaseWhileLivenessAnswers() throws Exception {
        try (PostgresServer postgres = PostgresServer.start();
             PackagedService s = new PackagedService("store-paused", List.of("-Dfanout.store.kind=postgres",
                     "-Dfanout.store.url=" + postgres.jdbcUrl(), "-Dfanout.store.username=" + PostgresServer.USER,
                     // one event loop, as on a one-core container: anything blocking it stops every connection
                     "-Dquarkus.vertx.event-loops-pool-size=1")).start()) {
            String id = s.api().contentType(ContentType.JSON)
                    .body("{\"tasks\": [{\"function\": \"sleep\", \"input\": {\"duration\": \"1ms\"}},"
                            + "{\"function\": \"sleep\", \"input\": {\"duration\": \"1ms\"}}]}")
                    .post("/batches?wait=30s").then().statusCode(200).body("batch.succeeded", is(2))
                    .extract().path("batch.id");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + s.port();
            String management = "http://127.0.0.1:" + s.managementPort();
            postgres.freeze();
            List<CompletableFuture<HttpResponse<String>>> reads = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    reads.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/batches/" + id + "/results"))
                            .timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString()));
                }
                for (int i = 0; i < 3; i++) {
                    HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create(management + "/q/health/live"))
                            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, live.statusCode(), live.body());
                    HttpResponse<String> functions = http.send(HttpRequest.newBuilder(URI.create(base + "/functions"))
                            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, functions.statusCode(), functions.body());
                }
                for (CompletableFuture<HttpResponse<String>> r : reads) { // they need the database: they wait
                    assertFalse(r.isDone(), "a result read answered with the database paused");
                }
            } finally {
                postgres.thaw();
            }
            for (CompletableFuture<HttpResponse<String>> r : reads) {
                HttpResponse<String> results = r.get(2, TimeUnit.MINUTES);
                assertEquals(200, results.statusCode(), results.body());
                assertEquals(2, results.body().lines().count(), results.body());
            }
        }
    }
}
