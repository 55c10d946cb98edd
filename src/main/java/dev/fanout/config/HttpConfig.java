package dev.fanout.config;

import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the built-in {@code http} function (it reads them by name; declared here to be checked). */
public interface HttpConfig {
    /** Body bytes an http result keeps. */
    @WithDefault("32768")
    long maxBodyBytes();

    /** Larger responses fail the task. */
    @WithDefault("67108864")
    long maxResponseBytes();

    @WithDefault("5")
    int maxRedirects();

    @WithDefault("10s")
    Duration connectTimeout();

    /**
     * Whether http tasks may reach private (10/8, 172.16/12, 192.168/16, fc00::/7) and loopback addresses.
     * Link-local and cloud metadata addresses (169.254/16, fd00:ec2::254) are refused whatever this says.
     */
    @WithDefault("false")
    boolean allowPrivateAddresses();

    /**
     * Requests in flight to one host (host and port) at most. Each host's limit adapts below it: a 429 or 503
     * lowers it, successes raise it again.
     */
    @WithDefault("256")
    int maxPerHost();

    /** The longest Retry-After of a 429 or 503 that a task waits for before it is tried again. */
    @WithDefault("60s")
    Duration maxRetryAfter();
}
