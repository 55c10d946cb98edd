package dev.fanout.packaged;

import dev.fanout.api.TenancyTest;
import dev.fanout.testing.store.PostgresServer;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Keys as an operator changes them, on the packaged service and one SQLite file across restarts: a key rotated
 * (two secrets under one name, then only the new one) keeps its batches; a key removed is locked out at once (401)
 * while its batches stay its name's; batches stored before names existed stay visible to the legacy list's keys and
 * to admins; named keys can come from the environment alone, as a container sets them.
 */
class TenancyIT {
    private static final String SUBMIT = "{\"tasks\": [{\"function\": \"sleep\", \"input\": {\"duration\": \"1ms\"}}]}";

    @TempDir
    Path dir;

    private PackagedService service(String name, String... keys) {
        List<String> p = new ArrayList<>(List.of("-Dfanout.auth.enabled=true"));
        p.addAll(List.of(keys));
        return PackagedService.onSqlite(name, dir, p.toArray(String[]::new));
    }

    private static RequestSpecification as(PackagedService s, String key) {
        return s.api().header("Authorization", "Bearer " + key);
    }

    private static String submit(PackagedService s, String key) {
        return as(s, key).contentType(ContentType.JSON).body(SUBMIT).post("/batches?wait=30s")
                .then().statusCode(200).extract().path("batch.id");
    }

    @Test
    void aRotatedKeyKeepsItsBatchesAndARemovedOneIsLockedOut() {
        String alices;
        String bobs;
        String[] base = {"-Dfanout.auth.keys.alice.key=alice-1", "-Dfanout.auth.keys.root.key=root-1",
                "-Dfanout.auth.keys.root.role=admin"};
        try (PackagedService s = service("tenancy-keys-1", concat(base, "-Dfanout.auth.keys.bob.key=bob-old")).start()) {
            alices = submit(s, "alice-1");
            bobs = submit(s, "bob-old");
        }
        // a rotation: the new secret and the old one under the same name, for as long as clients move over
        try (PackagedService s = service("tenancy-keys-2",
                concat(base, "-Dfanout.auth.keys.bob.key=bob-new,bob-old")).start()) {
            for (String key : List.of("bob-new", "bob-old")) {
                as(s, key).get("/batches/" + bobs).then().statusCode(200).body("owner", is("bob"));
                as(s, key).get("/batches").then().statusCode(200).body("total", is(1));
            }
            as(s, "bob-new").get("/batches/" + alices).then().statusCode(404);
        }
        // the old secret removed: locked out at once; the new one sees bob's batches
        try (PackagedService s = service("tenancy-keys-3", concat(base, "-Dfanout.auth.keys.bob.key=bob-new"))
                .start()) {
            as(s, "bob-old").get("/batches/" + bobs).then().statusCode(401)
                    .header("WWW-Authenticate", containsString("error=\"invalid_token\""))
                    .body("type", is("urn:fanout:problem:unauthenticated"));
            as(s, "bob-old").get("/batches").then().statusCode(401);
            as(s, "bob-new").get("/batches/" + bobs + "/results").then().statusCode(200);
        }
        // bob removed altogether: 401; his batch is still his, an admin sees it with its owner
        try (PackagedService s = service("tenancy-keys-4", base).start()) {
            as(s, "bob-new").get("/batches").then().statusCode(401);
            as(s, "root-1").get("/batches/" + bobs).then().statusCode(200).body("owner", is("bob"));
            as(s, "alice-1").get("/batches/" + bobs).then().statusCode(404);
            as(s, "alice-1").get("/batches").then().statusCode(200).body("batches.id", not(hasItem(bobs)))
                    .body("total", is(1));
        }
    }

    @Test
    void aRedriveLargerThanALoweredMinuteQuotaIs413NotA429ForEver() {
        String task = "{\"function\": \"sleep\", \"input\": {\"duration\": \"10s\"}}";
        String six = "{\"tasks\": [" + String.join(", ", java.util.Collections.nCopies(6, task))
                + "], \"taskTimeout\": \"10ms\"}"; // six TIMEOUT failures
        String id;
        try (PackagedService s = service("tenancy-redrive-1", "-Dfanout.auth.keys.alice.key=alice-1").start()) {
            id = as(s, "alice-1").contentType(ContentType.JSON).body(six).post("/batches?wait=30s")
                    .then().statusCode(200).body("batch.failed", is(6)).extract().path("batch.id");
        }
        // the operator lowers alice's quota to 5 tasks a minute: her 6 failed tasks can never be run again at once
        try (PackagedService s = service("tenancy-redrive-2", "-Dfanout.auth.keys.alice.key=alice-1",
                "-Dfanout.auth.keys.alice.max-tasks-per-minute=5").start()) {
            as(s, "alice-1").contentType(ContentType.JSON).body("{}").post("/batches/" + id + "/redrive")
                    .then().statusCode(413).header("Retry-After", nullValue())
                    .body("type", is("urn:fanout:problem:too-large"))
                    .body("detail", containsString("fanout.auth.keys.alice.max-tasks-per-minute"));
            as(s, "alice-1").get("/batches/" + id).then().statusCode(200).body("state", is("FAILED"));
        }
    }

    @Test
    void batchesStoredBeforeNamesStayVisibleToLegacyKeysAndAdmins() throws Exception {
        // a store of schema 1 (before tenancy), with one finished batch in it, as the previous release left it
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + dir.resolve("fanout.db"));
        Flyway.configure().dataSource(ds).locations("classpath:db/migration/sqlite").target("1").load().migrate();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            long now = System.currentTimeMillis(); // within the retention: not expired at start
            s.executeUpdate("INSERT INTO fanout_batches (id, state, options, total, succeeded, created_at, finished_at, "
                    + "idempotency_key, request_hash) VALUES ('old-batch', 'SUCCEEDED', '{}', 1, 1, " + (now - 2000)
                    + ", " + (now - 1000) + ", 'old-key', 'h')");
            s.executeUpdate("INSERT INTO fanout_tasks VALUES ('old-batch', 0, '0', 'noop', '1')");
            s.executeUpdate("INSERT INTO fanout_results VALUES ('old-batch', 1, 0, 'SUCCEEDED', '{\"id\": \"0\", "
                    + "\"state\": \"SUCCEEDED\", \"output\": 1, \"attempts\": 1}')");
        }
        try (PackagedService s = service("tenancy-upgrade", "-Dfanout.auth.api-keys=legacy-1",
                "-Dfanout.auth.keys.alice.key=alice-1", "-Dfanout.auth.keys.root.key=root-1",
                "-Dfanout.auth.keys.root.role=admin").start()) {
            as(s, "legacy-1").get("/batches/old-batch").then().statusCode(200).body("owner", nullValue())
                    .body("succeeded", is(1));
            as(s, "legacy-1").get("/batches/old-batch/results").then().statusCode(200)
                    .body(containsString("\"output\":1"));
            as(s, "root-1").get("/batches").then().body("batches.id", hasItem("old-batch"));
            as(s, "alice-1").get("/batches/old-batch").then().statusCode(404);
            as(s, "alice-1").get("/batches").then().body("total", is(0));
            // the legacy key's new batches are its position's name
            String id = submit(s, "legacy-1");
            as(s, "root-1").get("/batches/" + id).then().body("owner", is("api-keys[0]"));
            assertEquals(2, as(s, "legacy-1").get("/batches").then().extract().<Integer>path("total"));
        }
    }

    @Test
    void aQuotaHoldsAcrossTwoInstancesOnOnePostgresDatabase() throws Exception {
        try (PostgresServer postgres = PostgresServer.start()) {
            String[] settings = {"-Dfanout.auth.enabled=true", "-Dfanout.store.kind=postgres",
                    "-Dfanout.store.url=" + postgres.jdbcUrl(), "-Dfanout.store.username=" + PostgresServer.USER,
                    "-Dfanout.auth.keys.alice.key=alice-1", "-Dfanout.auth.keys.alice.max-running=1",
                    "-Dfanout.auth.keys.bob.key=bob-1"};
            try (PackagedService a = new PackagedService("tenancy-pg-a", List.of(settings)).start();
                 PackagedService b = new PackagedService("tenancy-pg-b", List.of(settings)).start()) {
                String running = as(a, "alice-1").contentType(ContentType.JSON)
                        .body("{\"tasks\": [{\"function\": \"sleep\", \"input\": {\"duration\": \"1h\"}}]}")
                        .post("/batches").then().statusCode(202).extract().path("id");
                // alice's one running batch is on instance a: instance b refuses her a second one
                as(b, "alice-1").contentType(ContentType.JSON).body(SUBMIT).post("/batches").then().statusCode(429)
                        .header("Retry-After", is("5")).body("type", is("urn:fanout:problem:quota-max-running"));
                as(b, "bob-1").get("/batches/" + running).then().statusCode(404);
                as(b, "bob-1").contentType(ContentType.JSON).body(SUBMIT).post("/batches?wait=30s").then()
                        .statusCode(200);
                as(b, "alice-1").delete("/batches/" + running).then().statusCode(200).body("state", is("CANCELLED"));
                submit(b, "alice-1");
            }
        }
    }

    @Test
    void namedKeysCanComeFromTheEnvironmentAlone() {
        PackagedService s = service("tenancy-env")
                .env("FANOUT_AUTH_KEYS_ALICE_KEY", "alice-env")
                .env("FANOUT_AUTH_KEYS_ROOT_KEY", "sha256:" + TenancyTest.sha256("root-env"))
                .env("FANOUT_AUTH_KEYS_ROOT_ROLE", "admin")
                .env("FANOUT_AUTH_KEYS_ALICE_MAX_RUNNING", "3");
        try (s) {
            s.start();
            String id = submit(s, "alice-env");
            as(s, "root-env").get("/batches/" + id).then().statusCode(200).body("owner", is("alice"));
            as(s, "root-env").get("/batches").then().body("batches.owner", hasItem("alice"));
            as(s, "nobody").get("/batches").then().statusCode(401);
        }
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }
}
