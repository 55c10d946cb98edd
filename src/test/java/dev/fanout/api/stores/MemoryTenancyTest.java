package dev.fanout.api.stores;

import dev.fanout.api.TenancyTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;

/** {@link TenancyTest} with the memory store. */
@QuarkusTest
@Tag("quarkus")
@TestProfile(MemoryTenancyTest.TwoKeysInMemory.class)
class MemoryTenancyTest extends TenancyTest {

    public static class TwoKeysInMemory extends TwoKeys {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> c = new HashMap<>(super.getConfigOverrides());
            c.put("fanout.store.kind", "memory");
            return c;
        }
    }
}
