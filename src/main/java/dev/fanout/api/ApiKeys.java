package dev.fanout.api;

import dev.fanout.config.FanoutConfig;
import io.quarkus.runtime.LaunchMode;
import jakarta.enterprise.context.ApplicationScoped;
import io.quarkus.runtime.Startup;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The accepted API keys ({@code fanout.auth.api-keys}, comma-separated, e.g. from {@code FANOUT_AUTH_API_KEYS}).
 * Only their SHA-256 digests are kept, compared in constant time. In the prod profile keys are required: a service
 * that runs code and fetches URLs for anyone who reaches its port must not start open by accident.
 */
@Startup
@ApplicationScoped
public class ApiKeys {
    private final boolean enabled;
    private final List<byte[]> digests;

    @jakarta.inject.Inject
    ApiKeys(FanoutConfig config) {
        this(config.auth().enabled(), config.auth().apiKeys().orElse(List.of()));
    }

    ApiKeys(boolean enabled, List<String> keys) {
        this.enabled = enabled;
        this.digests = keys.stream().map(String::trim).filter(k -> !k.isEmpty())
                .map(ApiKeys::digest).toList();
        if (enabled && digests.isEmpty()) {
            // refuse to start rather than serve an open API by accident
            throw new IllegalStateException("no API key is configured: set fanout.auth.api-keys (environment "
                    + "FANOUT_AUTH_API_KEYS, comma-separated), or turn authentication off with fanout.auth.enabled=false"
                    + (LaunchMode.current() == LaunchMode.NORMAL ? " (not advised in production)" : ""));
        }
    }

    public boolean enabled() {
        return enabled;
    }

    public boolean accepts(String key) {
        byte[] d = digest(key);
        boolean match = false;
        for (byte[] known : digests) {
            match |= MessageDigest.isEqual(known, d); // no early exit: timing says nothing about which key matched
        }
        return match;
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "ApiKeys[enabled=" + enabled + ", keys=" + digests.size() + "]"; // never the keys
    }
}
