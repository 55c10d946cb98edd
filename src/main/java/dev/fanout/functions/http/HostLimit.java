package dev.fanout.functions.http;

/** What the metrics show of one host's limit. */
public interface HostLimit {
    /** The host's name, or {@code other} for the hosts beyond those shown by name. */
    String label();

    /** Requests allowed in flight now, as learned from 429 and 503. */
    int limit();

    int inFlight();

    /** Requests answered 429 or 503. */
    long throttles();
}
