package dev.fanout.api.stores;

import dev.fanout.testing.store.StoreProfiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Tag;

/** {@link dev.fanout.api.BatchLifecycleTest} with the postgres store. */
@QuarkusTest
@Tag("quarkus")
@TestProfile(StoreProfiles.Postgres.class)
class PostgresBatchLifecycleTest extends dev.fanout.api.BatchLifecycleTest {
}
