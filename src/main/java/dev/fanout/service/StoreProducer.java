package dev.fanout.service;

import dev.fanout.config.StoreConfig;

import dev.fanout.config.FanoutConfig;
import dev.fanout.store.Store;
import dev.fanout.store.memory.MemoryStore;
import dev.fanout.store.postgres.PostgresStore;
import dev.fanout.store.sqlite.SqliteStore;
import io.quarkus.agroal.DataSource.DataSourceLiteral;
import io.quarkus.flyway.FlywayDataSource;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens the store {@code fanout.store.kind} names, its schema brought up to date first (Flyway: an upgrade of fanout
 * never needs a manual step). A store this build cannot use stops the service at start with a message naming it and
 * what to do; nothing in it is changed then.
 */
public class StoreProducer {

    @Produces
    @Singleton
    Store store(FanoutConfig config, @Any Instance<DataSource> dataSources, @Any Instance<Flyway> flyways) {
        StoreConfig c = config.store();
        return switch (c.kind()) {
            case "memory" -> new MemoryStore(config.batch().maxRetainedTasks(), config.batch().maxRetainedBytes());
            case "sqlite" -> sqlite(Path.of(c.path()), dataSources, flyways);
            case "postgres" -> postgres(c, dataSources, flyways);
            default -> throw new IllegalStateException("fanout.store.kind: expected sqlite (the default, one file), "
                    + "postgres (shared by several instances) or memory (nothing kept), got '" + c.kind() + "'");
        };
    }

    private static Store sqlite(Path file, Instance<DataSource> dataSources, Instance<Flyway> flyways) {
        Path absolute = file.toAbsolutePath();
        try {
            Files.createDirectories(absolute.getParent());
        } catch (IOException e) {
            throw new IllegalStateException("fanout.store.path=" + file + ": cannot create the directory "
                    + absolute.getParent() + " (" + e + "); choose a writable place", e);
        }
        SqliteFiles.check(absolute);
        SqliteStore store = new SqliteStore(dataSources.select(new DataSourceLiteral("sqlite")).get(), absolute);
        try {
            Migrations.run(flyways.select(FlywayDataSource.FlywayDataSourceLiteral.of("sqlite")).get(),
                    "the SQLite store " + absolute, "point fanout.store.path elsewhere");
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private static Store postgres(StoreConfig c, Instance<DataSource> dataSources, Instance<Flyway> flyways) {
        String url = c.url().orElseThrow(() -> new IllegalStateException("fanout.store.kind=postgres needs "
                + "fanout.store.url (jdbc:postgresql://host:5432/database), and fanout.store.username and "
                + "fanout.store.password unless the server trusts this host"));
        Migrations.run(flyways.select(FlywayDataSource.FlywayDataSourceLiteral.of("postgres")).get(),
                "the PostgreSQL store " + url, "point fanout.store.url at another database");
        return new PostgresStore(dataSources.select(new DataSourceLiteral("postgres")).get());
    }
}
