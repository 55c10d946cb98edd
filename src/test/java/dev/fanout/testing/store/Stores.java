package dev.fanout.testing.store;

import dev.fanout.config.StoreConfigInterceptor;
import dev.fanout.store.Store;
import dev.fanout.store.memory.MemoryStore;
import dev.fanout.store.postgres.PostgresStore;
import dev.fanout.store.sqlite.SqliteStore;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

import javax.sql.DataSource;
import java.nio.file.Path;

/** Stores for tests outside Quarkus: each kind on a real database, its schema migrated by Flyway as the service does. */
public final class Stores {
    private Stores() {
    }

    public static Store memory() {
        return new MemoryStore(Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /** A SQLite store in {@code file} (a test's own temporary directory, deleted after it). */
    public static Store sqlite(Path file) {
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl(StoreConfigInterceptor.sqliteUrl(file.toString())); // the service's own settings
        ds.setBusyTimeout(StoreConfigInterceptor.SQLITE_BUSY_TIMEOUT_MILLIS); // the URL's is not taken over its 3 s
        migrate(ds, "sqlite");
        return new SqliteStore(ds, file);
    }

    /** A new, empty database on the shared test PostgreSQL server. */
    public static Store postgres() {
        return postgres(PostgresServer.freshDatabase());
    }

    public static Store postgres(String url) {
        return new PostgresStore(postgresDataSource(url));
    }

    public static DataSource postgresDataSource(String url) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url);
        ds.setUser(PostgresServer.USER);
        ds.setReWriteBatchedInserts(true); // as the service's datasource
        migrate(ds, "postgres");
        return ds;
    }

    private static void migrate(DataSource ds, String kind) {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration/" + kind).load().migrate();
    }
}
