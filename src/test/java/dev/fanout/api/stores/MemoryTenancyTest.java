package dev.fanout.api.stores;

import dev.fanout.api.TenancyTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import java.util.HashMap;
import java.util.Map;

/** {@link TenancyTest} with the memory store. */
@QuarkusTest
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

    @Override
    protected boolean waitsOutTheMinute() {
        return false; // the SQLite run waits; the window's arithmetic is the same code (Quota.check)
    }
}
