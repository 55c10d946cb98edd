package dev.fanout.packaged;

import dev.fanout.testing.store.PostgresServer;
import dev.fanout.testing.store.Stores;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A store the service cannot use stops it at start with a message that names the store and what to do, and changes
 * nothing in it; a store that goes away while the service runs makes it refuse new batches (503, readiness DOWN) and
 * pause, and it goes on by itself when the store is back.
 */
class StoreFaultsIT {
    private static final String ONE_TASK = "{\"tasks\": [{\"function\": \"sleep\", \"input\": {\"duration\": \"1ms\"}}]}";
    @TempDir
    Path dir;

    @Test
    void aFileThatIsNotASqliteDatabaseStopsTheServiceUntouched() throws Exception {
        Path file = dir.resolve("fanout.db");
        byte[] garbage = "these bytes are not a SQLite database, whatever the name says".repeat(100).getBytes();
        Files.write(file, garbage);
        String log = PackagedService.failsToStart("store-corrupt", "-Dfanout.store.path=" + file);
        assertTrue(log.contains("the SQLite store " + file.toAbsolutePath() + " is not a SQLite database"), log);
        assertTrue(log.contains("move it away"), log);
        assertArrayEquals(garbage, Files.readAllBytes(file), "the file was not changed");
    }

    /** Unreadable for the service: as root the service runs as nobody, otherwise the file's owner loses access. */
    @Test
    void aStoreTheServiceCannotReadStopsItUntouched() throws Exception {
        Path file = dir.resolve("fanout.db");
        Stores.sqlite(file).close();
        byte[] before = Files.readAllBytes(file);
        List<String> wrapper = List.of();
        if ("root".equals(System.getProperty("user.name"))) {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            wrapper = List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--");
        } else {
            Files.setPosixFilePermissions(file, java.util.Set.of());
        }
        String log = PackagedService.failsToStart("store-unreadable", wrapper, "-Dfanout.store.path=" + file);
        assertTrue(log.contains("the SQLite store " + file + " cannot be read and written by this process"), log);
        assertTrue(log.contains("give it access"), log);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertArrayEquals(before, Files.readAllBytes(file), "the store was not changed");
    }

    @Test
    void aStoreWrittenByANewerFanoutStopsTheServiceUntouched() throws Exception {
        Path file = dir.resolve("fanout.db");
        Stores.sqlite(file).close(); // a store of today's schema ...
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) { // ... that a later release upgraded
            c.createStatement().execute("INSERT INTO flyway_schema_history (installed_rank, version, description, "
                    + "type, script, checksum, installed_by, installed_on, execution_time, success) VALUES (99, '99', "
                    + "'from the future', 'SQL', 'V99__from_the_future.sql', 0, 'fanout', CURRENT_TIMESTAMP, 1, 1)");
        }
        byte[] before = Files.readAllBytes(file);
        String log = PackagedService.failsToStart("store-newer", "-Dfanout.store.path=" + file);
        assertTrue(log.contains("was written by a newer fanout (schema version 99; this fanout knows up to 3)"), log);
        assertArrayEquals(before, Files.readAllBytes(file), "the store was not changed");
    }

    @Test
    void aSecondInstanceOnTheSameSqliteFileStopsAtStart() throws Exception {
        try (PackagedService first = PackagedService.onSqlite("store-first", dir).start()) {
            String log = PackagedService.failsToStart("store-second", "-Dfanout.store.path=" + dir.resolve("fanout.db"));
            assertTrue(log.contains("another fanout instance is using " + dir.resolve("fanout.db").toAbsolutePath()),
                    log);
            first.management().get("/q/health/ready").then().statusCode(200);
        }
    }

    /**
     * A full disk, for real: the service runs in a mount namespace of its own (gone with it) where its store directory
     * is a 64 MB tmpfs; the test fills it through {@code /proc/<pid>/root} while a batch's tasks are held by a local
     * HTTP server, then lets them finish: their results (16 KB each) cannot be stored.
     */
    @Test
    void aFullDiskPausesTheServiceAndItGoesOnWhenThereIsRoomAgain() throws Exception {
        Path store = Files.createDirectories(dir.resolve("store"));
        List<String> namespace = new java.util.ArrayList<>(List.of("unshare", "--mount", "--propagation", "private"));
        if (!"root".equals(System.getProperty("user.name"))) {
            namespace.add("--map-root-user");
        }
        namespace.addAll(List.of("sh", "-c", "mount -t tmpfs -o size=64m fanout-full-disk \"$1\" && shift && exec \"$@\"",
                "sh", store.toString()));
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] page = "x".repeat(16 * 1024).getBytes();
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        int n = 1000;
        try (PackagedService service = new PackagedService("store-full", List.of("-Dfanout.store.path="
                + store.resolve("fanout.db"), "-Dfanout.http.allow-private-addresses=true"), namespace).start()) {
            StringBuilder tasks = new StringBuilder("{\"maxConcurrency\": " + n + ", \"tasks\": [");
            for (int i = 0; i < n; i++) {
                tasks.append(i > 0 ? "," : "").append("{\"id\": \"t").append(i).append("\", \"function\": \"http\", ")
                        .append("\"input\": {\"url\": \"http://127.0.0.1:").append(server.getAddress().getPort())
                        .append("/").append(i).append("\"}}");
            }
            String id = service.api().contentType(ContentType.JSON).body(tasks.append("]}").toString())
                    .when().post("/batches").then().statusCode(202).extract().path("id");
            await().atMost(Duration.ofSeconds(30)).until(() -> requests.get() > 0);

            Path filler = Path.of("/proc/" + service.pid() + "/root" + store.toAbsolutePath(), "filler");
            long filled = fill(filler);
            assertTrue(filled < 64L * 1024 * 1024, "the store's filesystem is the small one: " + filled + " bytes");
            release.countDown();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> service.management().get("/q/health/ready").statusCode() == 503);
            service.management().get("/q/health/ready").then().body(containsString("full"));
            service.api().contentType(ContentType.JSON).body(ONE_TASK)
                    .when().post("/batches").then().statusCode(503).contentType("application/problem+json")
                    .body("detail", containsString("nothing was accepted"));
            service.api().get("/batches/" + id).then().statusCode(200).body("state", is("RUNNING"));

            Files.delete(filler);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> service.management().get("/q/health/ready").statusCode() == 200);
            await().atMost(Duration.ofSeconds(60)).until(() -> "SUCCEEDED".equals(service.api()
                    .get("/batches/" + id).path("state")));
            List<String> lines = service.api().get("/batches/" + id + "/results").asString().lines()
                    .filter(l -> !l.isBlank()).toList();
            assertEquals(n, lines.size(), "every result, once");
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            assertEquals(n, lines.stream().map(l -> {
                try {
                    return json.readTree(l).get("id").asText();
                } catch (IOException e) {
                    throw new AssertionError(l, e);
                }
            }).distinct().count(), "each task once");
            service.api().contentType(ContentType.JSON).body(ONE_TASK)
                    .when().post("/batches").then().statusCode(202);
        } finally {
            release.countDown();
            server.stop(0);
        }
    }

    /** Writes zeros to {@code file} until the filesystem is full; answers how many fit. */
    private static long fill(Path file) throws IOException {
        long written = 0;
        byte[] block = new byte[1 << 20];
        try (var out = Files.newOutputStream(file)) {
            while (written < 1L << 30) {
                out.write(block);
                written += block.length;
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
            return written;
        }
        throw new AssertionError("1 GiB fit in the store's filesystem: it is not the small one");
    }

    @Test
    void aDatabaseThatGoesAwayPausesTheServiceAndItGoesOnWhenItIsBack() throws Exception {
        try (PostgresServer postgres = PostgresServer.start();
             PackagedService service = new PackagedService("store-outage", List.of("-Dfanout.store.kind=postgres",
                     "-Dfanout.store.url=" + postgres.jdbcUrl(), "-Dfanout.store.username=" + PostgresServer.USER))
                     .start()) {
            StringBuilder tasks = new StringBuilder("{\"maxConcurrency\": 10, \"tasks\": [");
            for (int i = 0; i < 200; i++) {
                tasks.append(i > 0 ? "," : "").append("{\"function\": \"sleep\", \"input\": {\"duration\": \"100ms\"}}");
            }
            String id = service.api().contentType(ContentType.JSON).body(tasks.append("]}").toString())
                    .when().post("/batches").then().statusCode(202).extract().path("id");
            await().atMost(Duration.ofSeconds(30)).until(() -> service.api().get("/batches/" + id)
                    .<Integer>path("succeeded") >= 20);

            postgres.stop();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> service.management().get("/q/health/ready").statusCode() == 503);
            service.api().contentType(ContentType.JSON).body(ONE_TASK)
                    .when().post("/batches").then().statusCode(503).contentType("application/problem+json")
                    .header("Retry-After", is("5")).body("detail", containsString("nothing was accepted"));
            service.api().get("/batches").then().statusCode(503).contentType("application/problem+json")
                    .body("detail", containsString("try again when the store is back"));

            postgres.launch();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> service.management().get("/q/health/ready").statusCode() == 200);
            await().atMost(Duration.ofSeconds(60)).until(() -> "SUCCEEDED".equals(service.api()
                    .get("/batches/" + id).path("state")));
            service.api().get("/batches/" + id).then().body("succeeded", is(200));
            List<String> lines = service.api().get("/batches/" + id + "/results").asString().lines()
                    .filter(l -> !l.isBlank()).toList();
            assertEquals(200, lines.size(), "every result, once");
            assertEquals(200, lines.stream().map(l -> l.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1")).distinct().count());
            service.api().contentType(ContentType.JSON).body(ONE_TASK)
                    .when().post("/batches").then().statusCode(202);
        }
    }
}
