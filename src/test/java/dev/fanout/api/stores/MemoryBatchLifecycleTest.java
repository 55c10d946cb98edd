package dev.fanout.api.stores;

import dev.fanout.testing.store.StoreProfiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Tag;

/** {@link dev.fanout.api.BatchLifecycleTest} with the memory store. */
@QuarkusTest
@Tag("quarkus")
@TestProfile(StoreProfiles.Memory.class)
class MemoryBatchLifecycleTest extends dev.fanout.api.BatchLifecycleTest {
}
