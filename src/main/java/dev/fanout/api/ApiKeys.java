package dev.fanout.api;

import dev.fanout.config.AuthConfig;

import dev.fanout.config.FanoutConfig;
import dev.fanout.execution.engine.Caller;
import dev.fanout.store.Quota;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The accepted API keys and whose they are: named keys ({@code fanout.auth.keys.<name>.key}, with a role and quotas)
 * and the legacy list ({@code fanout.auth.api-keys}, named by position). Only SHA-256 digests are kept, compared in
 * constant time; a secret may be configured as its digest ({@code sha256:<hex>}). In the prod profile keys are
 * required: a service that runs code and fetches URLs for anyone who reaches its port must not start open by accident.
 * Every problem with the configuration stops the start with a message naming the setting, never a secret.
 */
@Startup
@ApplicationScoped
public class ApiKeys {
    static final String DIGEST_PREFIX = "sha256:";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{64}");

    /** One name's configuration, as the service reads it from {@code fanout.auth.keys.<name>}. */
    public record KeySpec(List<String> secrets, String role, Quota quota) {
    }

    private record Entry(byte[] digest, Caller caller) {
    }

    private final boolean enabled;
    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, Quota> quotas = new TreeMap<>();

    @jakarta.inject.Inject
    ApiKeys(FanoutConfig config) {
        this(config.auth().enabled(), config.auth().apiKeys().orElse(List.of()), specs(config.auth().keys()));
    }

    ApiKeys(boolean enabled, List<String> legacy) {
        this(enabled, legacy, Map.of());
    }

    ApiKeys(boolean enabled, List<String> legacy, Map<String, KeySpec> named) {
        this.enabled = enabled;
        Map<String, String> nameOfDigest = new LinkedHashMap<>();
        new TreeMap<>(named).forEach((name, spec) -> {
            String at = "fanout.auth.keys." + name;
            if (!NAME.matcher(name).matches() || name.equals(Caller.ANONYMOUS.name())) {
                throw new IllegalStateException(at + ": a key's name is 1 to 64 letters, digits, '.', '_' or '-', and "
                        + "not 'anonymous'");
            }
            boolean admin = switch (spec.role().trim().toLowerCase(Locale.ROOT)) {
                case "submitter" -> false;
                case "admin" -> true;
                default -> throw new IllegalStateException(at + ".role: expected 'submitter' or 'admin', got '"
                        + spec.role() + "'");
            };
            Caller caller = new Caller(name, admin, false);
            List<String> secrets = spec.secrets().stream().map(String::trim).filter(k -> !k.isEmpty()).toList();
            if (secrets.isEmpty()) {
                throw new IllegalStateException(at + ".key: no key is set for '" + name + "'");
            }
            for (String secret : secrets) {
                byte[] digest = digestOf(secret, at + ".key");
                String other = nameOfDigest.putIfAbsent(HexFormat.of().formatHex(digest), name);
                if (other != null && !other.equals(name)) {
                    throw new IllegalStateException(at + ".key: the same key is also fanout.auth.keys." + other
                            + ".key; a key belongs to one name (its batches would have two owners)");
                }
                entries.add(new Entry(digest, caller));
            }
            quotas.put(name, spec.quota());
        });
        for (int i = 0; i < legacy.size(); i++) {
            String secret = legacy.get(i).trim();
            if (secret.isEmpty()) {
                continue;
            }
            String name = "api-keys[" + i + "]";
            byte[] digest = digestOf(secret, "fanout.auth.api-keys[" + i + "]");
            String other = nameOfDigest.putIfAbsent(HexFormat.of().formatHex(digest), name);
            if (other != null && other.startsWith("api-keys[")) {
                continue; // listed twice: the first place names it, as before names existed
            }
            if (other != null) {
                throw new IllegalStateException("fanout.auth.api-keys[" + i + "]: the same key is also "
                        + "fanout.auth.keys." + other + ".key; a key belongs to one name");
            }
            entries.add(new Entry(digest, new Caller(name, false, true)));
        }
        if (enabled && entries.isEmpty()) {
            // refuse to start rather than serve an open API by accident
            throw new IllegalStateException("no API key is configured: set fanout.auth.keys.<name>.key, or "
                    + "fanout.auth.api-keys (environment FANOUT_AUTH_API_KEYS, comma-separated), or turn "
                    + "authentication off with fanout.auth.enabled=false"
                    + (LaunchMode.current() == LaunchMode.NORMAL ? " (not advised in production)" : ""));
        }
    }

    private static Map<String, KeySpec> specs(Map<String, AuthConfig.Key> keys) {
        Map<String, KeySpec> specs = new TreeMap<>();
        keys.forEach((name, k) -> {
            String at = "fanout.auth.keys." + name + ".";
            specs.put(name, new KeySpec(k.key(), k.role(), new Quota(
                    positive(at + "max-running", k.maxRunning().orElse(0), k.maxRunning().isPresent()),
                    positive(at + "max-tasks-per-minute", k.maxTasksPerMinute().orElse(0),
                            k.maxTasksPerMinute().isPresent()),
                    positive(at + "max-concurrency", k.maxConcurrency().orElse(0), k.maxConcurrency().isPresent()))));
        });
        return specs;
    }

    private static int positive(String setting, int value, boolean set) {
        if (set && value < 1) {
            throw new IllegalStateException(setting + ": expected at least 1, got " + value
                    + " (leave it out for no limit)");
        }
        return value;
    }

    /** The digest a configured secret stands for: its own, or the one it gives as {@code sha256:<hex>}. */
    private static byte[] digestOf(String secret, String setting) {
        if (!secret.regionMatches(true, 0, DIGEST_PREFIX, 0, DIGEST_PREFIX.length())) {
            return digest(secret);
        }
        String hex = secret.substring(DIGEST_PREFIX.length());
        if (!HEX.matcher(hex).matches()) {
            throw new IllegalStateException(setting + ": 'sha256:' must be followed by the key's SHA-256 as 64 hex "
                    + "digits (for example: printf %s \"$KEY\" | sha256sum)");
        }
        return HexFormat.of().parseHex(hex);
    }

    public boolean enabled() {
        return enabled;
    }

    public boolean accepts(String key) {
        return resolve(key).isPresent();
    }

    /** Whose key {@code key} is; empty when it is none of the configured ones (wrong, or removed). */
    public Optional<Caller> resolve(String key) {
        byte[] d = digest(key);
        Caller match = null;
        for (Entry e : entries) {
            // no early exit: timing says nothing about which key matched
            if (MessageDigest.isEqual(e.digest(), d) && match == null) {
                match = e.caller();
            }
        }
        return Optional.ofNullable(match);
    }

    /** The quotas of a key's name; none for a name of the legacy list or one no longer configured. */
    public Quota quotaOf(String name) {
        return quotas.getOrDefault(name, Quota.NONE);
    }

    /** The configured names (for metrics' bounded label values). */
    public Set<String> names() {
        Set<String> names = new java.util.TreeSet<>();
        entries.forEach(e -> names.add(e.caller().name()));
        return names;
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
        return "ApiKeys[enabled=" + enabled + ", keys=" + entries.size() + ", names=" + names() + "]"; // never a key
    }
}
