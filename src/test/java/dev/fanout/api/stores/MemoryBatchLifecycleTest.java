package dev.fanout.api.stores;

import dev.fanout.testing.store.StoreProfiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link dev.fanout.api.BatchLifecycleTest} with the memory store. */
@QuarkusTest
@TestProfile(StoreProfiles.Memory.class)
class MemoryBatchLifecycleTest extends dev.fanout.api.BatchLifecycleTest {
}
