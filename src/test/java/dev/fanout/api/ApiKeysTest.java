package dev.fanout.api;

import dev.fanout.execution.engine.Caller;
import dev.fanout.store.Quota;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiKeysTest {

    static ApiKeys.KeySpec spec(String role, String... secrets) {
        return new ApiKeys.KeySpec(List.of(secrets), role, Quota.NONE);
    }

    @Test
    void refusesToStartWithAuthenticationOnAndNoKey() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ApiKeys(true, List.of(" ")));
        assertTrue(e.getMessage().contains("fanout.auth.api-keys") && e.getMessage().contains("fanout.auth.keys"),
                e.getMessage());
    }

    @Test
    void acceptsExactlyTheConfiguredKeysAndNeverShowsThem() {
        ApiKeys keys = new ApiKeys(true, List.of("alpha-key", " beta-key "));
        assertTrue(keys.accepts("alpha-key"));
        assertTrue(keys.accepts("beta-key"));
        assertFalse(keys.accepts("alpha"));
        assertFalse(keys.accepts(""));
        assertFalse(keys.toString().contains("alpha") || keys.toString().contains("beta"), keys.toString());
    }

    @Test
    void namesLegacyKeysByPositionAndLetThemSeeBatchesOfNoName() {
        ApiKeys keys = new ApiKeys(true, List.of("first", "second", "first"));
        Caller second = keys.resolve("second").orElseThrow();
        assertEquals("api-keys[1]", second.name());
        assertEquals("api-keys[0]", keys.resolve("first").orElseThrow().name(), "a repeated key keeps its first place");
        assertFalse(second.admin());
        assertTrue(second.sees(null), "batches stored before names were theirs to see");
        assertFalse(second.sees("api-keys[0]"));
        assertEquals(Quota.NONE, keys.quotaOf("api-keys[1]"));
    }

    @Test
    void resolvesNamedKeysClearOrAsDigestsWithTheirRoleAndQuota() {
        Quota tight = new Quota(1, 50, 4);
        ApiKeys keys = new ApiKeys(true, List.of(), Map.of(
                "alice", new ApiKeys.KeySpec(List.of("alice-secret"), "submitter", tight),
                "bob", spec("submitter", "sha256:" + TenancyTest.sha256("bob-secret").toUpperCase()),
                "root", spec("ADMIN", "root-secret")));
        Caller alice = keys.resolve("alice-secret").orElseThrow();
        assertEquals(new Caller("alice", false, false), alice);
        assertEquals("bob", keys.resolve("bob-secret").orElseThrow().name(), "a digest in either case");
        assertEquals(Optional.empty(), keys.resolve("sha256:" + TenancyTest.sha256("bob-secret")),
                "the digest itself is not a key: only what it is the digest of");
        assertTrue(keys.resolve("root-secret").orElseThrow().admin());
        assertFalse(alice.sees("bob"));
        assertFalse(alice.sees(null), "a named key does not see batches of no name");
        assertTrue(keys.resolve("root-secret").orElseThrow().sees("bob"));
        assertEquals(tight, keys.quotaOf("alice"));
        assertEquals(Quota.NONE, keys.quotaOf("bob"));
        assertEquals(Set.of("alice", "bob", "root"), keys.names());
        assertFalse(keys.toString().contains("secret"), keys.toString());
    }

    @Test
    void twoKeysOfOneNameDuringARotationAreTheSameOwner() {
        ApiKeys keys = new ApiKeys(true, List.of(), Map.of("alice", spec("submitter", "new-secret", " old-secret ")));
        assertEquals(keys.resolve("new-secret"), keys.resolve("old-secret"));
        assertEquals("alice", keys.resolve("old-secret").orElseThrow().name());
    }

    @Test
    void refusesAConfigurationThatWouldBeAmbiguousOrWrongNamingTheSettingNotTheSecret() {
        record Bad(Map<String, ApiKeys.KeySpec> named, List<String> legacy, String says) {
        }
        for (Bad bad : List.of(
                new Bad(Map.of("alice", spec("submitter", "same"), "bob", spec("submitter", "same")), List.of(),
                        "fanout.auth.keys.bob.key: the same key is also fanout.auth.keys.alice.key"),
                new Bad(Map.of("alice", spec("submitter", "same")), List.of("same"),
                        "fanout.auth.api-keys[0]: the same key is also fanout.auth.keys.alice.key"),
                new Bad(Map.of("alice", spec("owner", "s")), List.of(), "fanout.auth.keys.alice.role"),
                new Bad(Map.of("alice", spec("submitter", " ")), List.of(), "fanout.auth.keys.alice.key: no key"),
                new Bad(Map.of("alice", spec("submitter", "sha256:abc")), List.of(), "64 hex digits"),
                new Bad(Map.of("alice", spec("submitter", "sha256:" + "g".repeat(64))), List.of(), "64 hex digits"),
                new Bad(Map.of("anonymous", spec("submitter", "s")), List.of(), "not 'anonymous'"),
                new Bad(Map.of("a b", spec("submitter", "s")), List.of(), "fanout.auth.keys.a b"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new ApiKeys(true, bad.legacy(), bad.named()), bad.says());
            assertTrue(e.getMessage().contains(bad.says()), e.getMessage());
            assertFalse(e.getMessage().contains("same key is also fanout.auth.keys.alice.key") && e.getMessage()
                    .contains("'same'"), "never the secret: " + e.getMessage());
        }
    }
}
