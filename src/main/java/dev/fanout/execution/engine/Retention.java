package dev.fanout.execution.engine;

import dev.fanout.store.Store;

import java.time.Duration;
import java.time.Instant;

/**
 * Drops finished batches beyond the retention: older than {@code retention}, beyond {@code maxRetainedBatches}, and for
 * the memory store beyond its task and byte bounds. Swept a few times per retention period (at least every minute),
 * and by a memory store at each batch's end (its bounds are the heap's).
 */
final class Retention {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());

    private final Store store;
    private final EngineConfig config;

    Retention(Store store, EngineConfig config) {
        this.store = store;
        this.config = config;
    }

    /** How often to sweep: a quarter of the retention, between 1 s and 1 min. */
    Duration period() {
        return Duration.ofSeconds(Math.max(1, Math.min(60, config.retention().toSeconds() / 4)));
    }

    void expire(Instant now) {
        try {
            store.expire(now.minus(config.retention()).toEpochMilli(), config.maxRetainedBatches());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not expire old batches: " + e.getMessage());
        }
    }
}
