package dev.fanout.core;

/** What the metrics show of one key's limit in {@link KeyedLimits} (http's hosts, invoke's functions). */
public interface KeyedLimit {
    /** The key (a host, a function) as shown by name, or {@code other} for the keys beyond those. */
    String label();

    /** Calls allowed in flight now, as learned from throttles. */
    int limit();

    int inFlight();

    /** Calls refused for lack of capacity (what counts as such is the caller's: http's 429 and 503, invoke's 429). */
    long throttles();
}
