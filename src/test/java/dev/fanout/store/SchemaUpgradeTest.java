package dev.fanout.store;

import dev.fanout.config.StoreConfigInterceptor;
import dev.fanout.store.postgres.PostgresStore;
import dev.fanout.store.sqlite.SqliteStore;
import dev.fanout.testing.store.PostgresServer;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A store written by the release before tenancy (schema 1), upgraded in place: its batches keep every task and result
 * (schema 2 only adds: a table rebuild would have cascaded deletes to them), belong to no name, and their old
 * Idempotency-Keys do not stop a name from using the same key.
 */
class SchemaUpgradeTest {
    @TempDir
    Path dir;

    @Test
    void sqlite() throws Exception {
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl(StoreConfigInterceptor.sqliteUrl(dir.resolve("fanout.db").toString())); // foreign keys on
        upgrade(ds, "sqlite");
        check(new SqliteStore(ds, dir.resolve("fanout.db")));
    }

    @Test
    void postgres() throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(PostgresServer.freshDatabase());
        ds.setUser(PostgresServer.USER);
        upgrade(ds, "postgres");
        check(new PostgresStore(ds));
    }

    private static void upgrade(DataSource ds, String kind) throws Exception {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration/" + kind).target("1").load().migrate();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO fanout_batches (id, state, options, total, succeeded, failed, created_at, "
                    + "finished_at, idempotency_key, request_hash) VALUES ('old', 'FAILED', '{}', 2, 1, 1, 1000, 2000, "
                    + "'key-1', 'h')");
            s.executeUpdate("INSERT INTO fanout_tasks VALUES ('old', 0, 'a', 'noop', '1'), ('old', 1, 'b', 'noop', '2')");
            s.executeUpdate("INSERT INTO fanout_results VALUES ('old', 1, 0, 'SUCCEEDED', '{\"id\": \"a\", "
                    + "\"state\": \"SUCCEEDED\", \"output\": 1, \"attempts\": 1}'), ('old', 2, 1, 'FAILED', "
                    + "'{\"id\": \"b\", \"state\": \"FAILED\", \"attempts\": 1}')");
        }
        Flyway.configure().dataSource(ds).locations("classpath:db/migration/" + kind).load().migrate();
    }

    private static void check(Store store) {
        try (store) {
            StoredBatch old = store.find("old").orElseThrow();
            assertNull(old.tenant(), "a batch from before names belongs to none");
            assertEquals(2, store.load("old").orElseThrow().tasks().size(), "its tasks are all there");
            assertEquals(2, store.results("old", false, 0, 10).size(), "and its results");
            assertEquals(List.of("old"), store.list(new Scope("api-keys[0]", true), null, 0, 10).stream()
                    .map(StoredBatch::id).toList(), "listed for keys that see unnamed batches");
            assertEquals(0, store.count(new Scope("alice", false), null), "not for a named key");
            // its old key was global; names start afresh
            assertEquals("new", store.create(new NewBatch("new", "{}", 3000, StoreContractTest.tasks(1), "key-1",
                    "other", "me", 20_000, "alice", 1, Quota.NONE)));
        }
    }
}
