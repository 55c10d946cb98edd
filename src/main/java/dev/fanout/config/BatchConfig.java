package dev.fanout.config;

import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The {@code fanout.batch.*} keys. */
public interface BatchConfig {
    /** Tasks per batch at most; a larger batch is refused with 413. */
    @WithDefault("1000000")
    int maxTasks();

    /** A batch's maxConcurrency when it gives none. */
    @WithDefault("10000")
    int defaultMaxConcurrency();

    /** A batch's taskTimeout when it gives none. */
    @WithDefault("5m")
    Duration defaultTaskTimeout();

    /** The largest taskTimeout a batch may ask for. */
    @WithDefault("1h")
    Duration maxTaskTimeout();

    /** The largest retries a batch may ask for. */
    @WithDefault("10")
    int maxRetries();

    /** How long finished batches and their results stay retrievable. */
    @WithDefault("1h")
    Duration retention();

    /** Finished batches kept at most; the oldest go first. */
    @WithDefault("1000")
    int maxRetained();

    /** Serialised size of one task's input at most; a bigger task is refused with 413. */
    @WithDefault("1048576")
    int maxTaskInputBytes();

    /** Batches running at once at most; beyond, submissions get 429 with Retry-After. */
    @WithDefault("100")
    int maxRunning();

    /**
     * Tasks kept in finished batches at most (their results use memory, about 400 bytes each for small outputs:
     * a million fit the recommended 1 GB heap); the oldest batches go first.
     */
    @WithDefault("1000000")
    long maxRetainedTasks();

    /**
     * Estimated heap bytes of the results of finished batches kept at most: a quarter of the recommended 1 GB
     * heap by default (counts alone do not bound memory: one http result may keep 32 KiB); the oldest batches go
     * first.
     */
    @WithDefault("268435456")
    long maxRetainedBytes();

    /** Backend of CPU functions when a batch names none. */
    @WithDefault("processes")
    String defaultCpuBackend();
}
