package dev.fanout.api.stores;

import dev.fanout.testing.store.StoreProfiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Tag;

/** {@link dev.fanout.api.ResultStreamTest} with the memory store. */
@QuarkusTest
@Tag("quarkus")
@TestProfile(StoreProfiles.Memory.class)
class MemoryResultStreamTest extends dev.fanout.api.ResultStreamTest {
}
