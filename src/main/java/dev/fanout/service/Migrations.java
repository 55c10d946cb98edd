package dev.fanout.service;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;

import java.util.Arrays;
import java.util.List;

/**
 * Brings a store's schema up to this build's version, or refuses to touch a store written by a newer fanout (its
 * schema has versions this build does not know: running on it could lose what the newer one relies on).
 */
final class Migrations {
    private Migrations() {
    }

    /** @param what names the store in messages; {@code elsewhere} says how to use another one */
    static void run(Flyway flyway, String what, String elsewhere) {
        try {
            MigrationInfo[] all = flyway.info().all();
            List<String> future = Arrays.stream(all)
                    .filter(m -> m.getState() == MigrationState.FUTURE_SUCCESS
                            || m.getState() == MigrationState.FUTURE_FAILED)
                    .map(m -> m.getVersion().toString()).toList();
            if (!future.isEmpty()) {
                String known = Arrays.stream(all).filter(m -> !future.contains(String.valueOf(m.getVersion())))
                        .map(m -> String.valueOf(m.getVersion())).reduce((a, b) -> b).orElse("none");
                throw new IllegalStateException(what + " was written by a newer fanout (schema version "
                        + future.getLast() + "; this fanout knows up to " + known + "): run that fanout version or a "
                        + "newer one, or " + elsewhere + "; the store was not changed");
            }
            flyway.migrate();
        } catch (FlywayException e) {
            throw new IllegalStateException(what + " cannot be opened: " + rootMessage(e) + "; " + elsewhere
                    + " if it is damaged (it was not changed)", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
