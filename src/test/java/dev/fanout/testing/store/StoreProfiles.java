package dev.fanout.testing.store;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;

/** Quarkus test profiles that run the service on each store kind (the plain test profile uses SQLite). */
public final class StoreProfiles {
    private StoreProfiles() {
    }

    /** {@code fanout.store.kind=memory}. */
    public static class Memory implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fanout.store.kind", "memory");
        }
    }

    /** {@code fanout.store.kind=postgres} on a fresh database of the test PostgreSQL server. */
    public static class Postgres implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Database.class));
        }
    }

    /** Gives the service a database of its own on the shared test server. */
    public static class Database implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            return Map.of("fanout.store.kind", "postgres", "fanout.store.url", PostgresServer.freshDatabase(),
                    "fanout.store.username", PostgresServer.USER);
        }

        @Override
        public void stop() {
            // the database goes with the server, which stops with the test JVM
        }
    }
}
