package dev.fanout.api;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiKeysTest {

    @Test
    void refusesToStartWithAuthenticationOnAndNoKey() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ApiKeys(true, List.of(" ")));
        assertTrue(e.getMessage().contains("set fanout.auth.api-keys"), e.getMessage());
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
}
