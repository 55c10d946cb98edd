package dev.fanout.config;

import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Where batches live (see {@code StoreConfigInterceptor} for how these reach Quarkus' datasources). */
public interface StoreConfig {
    /** {@code sqlite} (an embedded file, the default), {@code postgres} (shared), {@code memory} (nothing kept). */
    @WithDefault("sqlite")
    String kind();

    /** The SQLite file; default {@code fanout-data/fanout.db} under the working directory. */
    @WithDefault("fanout-data/fanout.db")
    String path();

    /** The PostgreSQL database, {@code jdbc:postgresql://host:5432/db}. */
    Optional<String> url();

    Optional<String> username();

    Optional<String> password();

    /** How long a batch stays its instance's without a renewal (renewed every third of it); a shared store. */
    @WithDefault("15s")
    Duration leaseDuration();
}
