package dev.fanout.packaged;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.testing.store.PostgresServer;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two packaged instances on one PostgreSQL database, as behind a load balancer: either answers for any batch, a
 * cancel sent to the one that does not run the batch stops it, a stream on it follows the results, and when the
 * instance running a batch is SIGKILLed the other takes the batch over once its lease runs out and finishes it,
 * each task with exactly one result.
 */
class TwoInstancesIT {
    private static final Duration LEASE = Duration.ofSeconds(3);
    private final List<AutoCloseable> open = new ArrayList<>();
    private PackagedService a;
    private PackagedService b;

    @BeforeEach
    void start() {
        PostgresServer postgres = PostgresServer.start();
        open.add(postgres);
        List<String> settings = List.of("-Dfanout.store.kind=postgres", "-Dfanout.store.url=" + postgres.jdbcUrl(),
                "-Dfanout.store.username=" + PostgresServer.USER, "-Dfanout.store.lease-duration=3s",
                "-Dfanout.processes.workers=1");
        a = new PackagedService("instance-a", settings).start();
        open.add(0, a);
        b = new PackagedService("instance-b", settings).start();
        open.add(0, b);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private static String sleeps(int n, String duration) {
        StringBuilder body = new StringBuilder("{\"maxConcurrency\": 20, \"tasks\": [");
        for (int i = 0; i < n; i++) {
            body.append(i > 0 ? "," : "").append("{\"id\": \"t").append(i)
                    .append("\", \"function\": \"sleep\", \"input\": {\"duration\": \"").append(duration).append("\"}}");
        }
        return body.append("]}").toString();
    }

    @Test
    void eitherInstanceAnswersAndACancelSentToTheOtherStopsTheBatch() {
        String id = a.api().contentType(ContentType.JSON).body(sleeps(10, "1h")).when().post("/batches")
                .then().statusCode(202).extract().path("id");
        b.api().get("/batches/" + id).then().statusCode(200).body("state", is("RUNNING")).body("total", is(10));
        await().atMost(Duration.ofSeconds(10)).until(() -> b.api().get("/batches").path("batches[0].id").equals(id));
        long asked = System.nanoTime();
        b.api().delete("/batches/" + id).then().statusCode(200).body("state", is("CANCELLED"))
                .body("cancelled", is(10));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
        System.out.println("cancel through the other instance took " + ms + " ms");
        a.api().get("/batches/" + id).then().body("state", is("CANCELLED"));
    }

    @Test
    void theOtherInstanceTakesOverTheBatchOfAKilledOneAndFinishesIt() throws Exception {
        int n = 400;
        String id = a.api().contentType(ContentType.JSON).body(sleeps(n, "150ms")).when().post("/batches")
                .then().statusCode(202).extract().path("id");
        SseFollower follower = new SseFollower();
        var events = follower.follow(b.port(), id, Duration.ofMinutes(3)); // a stream on the instance not running it
        await().atMost(Duration.ofSeconds(60)).until(() -> b.api().get("/batches/" + id).<Integer>path("succeeded")
                >= n / 4);
        a.kill();
        long killed = System.nanoTime();
        int atKill = b.api().get("/batches/" + id).path("succeeded");
        await().atMost(Duration.ofSeconds(60)).until(() -> b.api().get("/batches/" + id).<Integer>path("succeeded")
                > atKill);
        long takeover = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        System.out.println("takeover: the first new result " + takeover + " ms after the kill (lease " + LEASE + ")");
        assertTrue(takeover < LEASE.toMillis() * 4, "taken over within about one lease: " + takeover + " ms");

        List<SseFollower.Event> seen = events.get(3, TimeUnit.MINUTES);
        JsonNode status = b.api().get("/batches/" + id).then().statusCode(200).extract().as(JsonNode.class);
        assertEquals("SUCCEEDED", status.get("state").asText(), status.toString());
        assertEquals(n, status.get("succeeded").asInt());
        assertEquals(n, seen.size(), "the stream on the other instance saw every result once");
        Set<String> ids = new HashSet<>();
        for (int k = 0; k < seen.size(); k++) {
            assertEquals(k + 1, seen.get(k).id());
            assertTrue(ids.add(seen.get(k).result().get("id").asText()));
        }
    }
}
