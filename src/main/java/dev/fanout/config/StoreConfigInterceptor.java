package dev.fanout.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Derives Quarkus' datasource settings from fanout's own store keys, so that users and the infrastructure set only
 * {@code fanout.store.kind}, {@code .path}, {@code .url}, {@code .username} and {@code .password}: the datasource of
 * the chosen kind is active, the other is not, and their URL and credentials come from those keys. Settings given
 * under {@code quarkus.datasource.*} directly still win.
 */
public class StoreConfigInterceptor implements ConfigSourceInterceptor {
    public static final String DEFAULT_KIND = "sqlite";
    public static final String DEFAULT_PATH = "fanout-data/fanout.db";
    private static final String SQLITE = "quarkus.datasource.sqlite.";
    private static final String POSTGRES = "quarkus.datasource.postgres.";
    private static final List<String> DERIVED = List.of(SQLITE + "active", SQLITE + "jdbc.url", POSTGRES + "active",
            POSTGRES + "jdbc.url", POSTGRES + "username", POSTGRES + "password");

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue given = context.proceed(name);
        if (given != null || !DERIVED.contains(name)) {
            return given;
        }
        String kind = value(context, "fanout.store.kind", DEFAULT_KIND);
        String derived = switch (name.substring(name.indexOf('.', "quarkus.datasource.".length()) + 1)) {
            case "active" -> String.valueOf(name.startsWith(SQLITE) ? kind.equals("sqlite") : kind.equals("postgres"));
            case "jdbc.url" -> name.startsWith(SQLITE) ? sqliteUrl(value(context, "fanout.store.path", DEFAULT_PATH))
                    : value(context, "fanout.store.url", null);
            case "username" -> value(context, "fanout.store.username", null);
            case "password" -> value(context, "fanout.store.password", null);
            default -> null;
        };
        return derived == null ? null
                : ConfigValue.builder().withName(name).withValue(derived).withConfigSourceName("fanout.store.*").build();
    }

    /** How long a SQLite write waits for the file lock before it fails (SQLITE_BUSY). */
    public static final int SQLITE_BUSY_TIMEOUT_MILLIS = 10_000;

    /**
     * The file's JDBC URL: WAL (readers never wait for the writer), a full sync at each commit (an acknowledged batch
     * survives a power cut too; group commit keeps commits few), foreign keys on, waits instead of failing when busy.
     * An {@code org.sqlite.SQLiteDataSource} given this URL still waits only its own config's 3 s: set its busy
     * timeout too ({@link #SQLITE_BUSY_TIMEOUT_MILLIS}).
     */
    public static String sqliteUrl(String path) {
        return "jdbc:sqlite:" + path + "?journal_mode=WAL&synchronous=FULL&foreign_keys=true&busy_timeout="
                + SQLITE_BUSY_TIMEOUT_MILLIS;
    }

    @Override
    public Iterator<String> iterateNames(ConfigSourceInterceptorContext context) {
        // the datasources' runtime settings are found by name: without these, Quarkus would not see them
        Set<String> names = new LinkedHashSet<>();
        context.iterateNames().forEachRemaining(names::add);
        names.addAll(DERIVED);
        return names.iterator();
    }

    private static String value(ConfigSourceInterceptorContext context, String name, String defaultValue) {
        ConfigValue v = context.proceed(name);
        return v == null || v.getValue() == null || v.getValue().isBlank() ? defaultValue : v.getValue();
    }
}
