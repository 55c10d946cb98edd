package dev.fanout.config;

import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** The {@code fanout.auth.*} keys. */
public interface AuthConfig {
    /** Whether the API needs a key; on by default, off in the dev and test profiles. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Accepted keys, comma-separated (FANOUT_AUTH_API_KEYS), each clear or {@code sha256:<hex>}. Never logged.
     * Each is named by its position, {@code api-keys[0]}, {@code api-keys[1]}...: a submitter without quotas,
     * which also sees the batches stored before keys had names.
     */
    Optional<List<String>> apiKeys();

    /** Named keys: {@code fanout.auth.keys.<name>.key}, {@code .role}, and the name's quotas. */
    Map<String, Key> keys();

    /** One name's key (or keys, during a rotation), role and quotas; its batches belong to the name. */
    interface Key {
        /**
         * The secret, clear or as {@code sha256:<64 hex digits>} (the SHA-256 of the key's UTF-8 bytes, so that
         * the configuration never holds it in clear); several, comma-separated, while one replaces another.
         */
        List<String> key();

        /** {@code submitter} (its own batches) or {@code admin} (every batch). */
        @WithDefault("submitter")
        String role();

        /** Batches of this name RUNNING at once, across every instance; none: no limit. */
        OptionalInt maxRunning();

        /** Tasks accepted in any minute (new batches' and redriven ones), across every instance; none: no limit. */
        OptionalInt maxTasksPerMinute();

        /** The sum of the maxConcurrency of this name's RUNNING batches; none: no limit. */
        OptionalInt maxConcurrency();
    }
}
