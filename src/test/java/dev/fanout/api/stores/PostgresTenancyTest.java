package dev.fanout.api.stores;

import dev.fanout.api.TenancyTest;
import dev.fanout.testing.store.StoreProfiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import java.util.List;
import org.junit.jupiter.api.Tag;

/** {@link TenancyTest} with the postgres store. */
@QuarkusTest
@Tag("quarkus")
@TestProfile(PostgresTenancyTest.TwoKeysOnPostgres.class)
class PostgresTenancyTest extends TenancyTest {

    public static class TwoKeysOnPostgres extends TwoKeys {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StoreProfiles.Database.class));
        }
    }
}
