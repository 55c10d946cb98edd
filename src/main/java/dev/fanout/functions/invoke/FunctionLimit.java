package dev.fanout.functions.invoke;

/** What the metrics show of one target function's limit. */
public interface FunctionLimit {
    /** The function as tasks name it (without qualifier), or {@code other} for those beyond the ones shown by name. */
    String label();

    /** Invocations allowed in flight now, as learned from 429s. */
    int limit();

    int inFlight();

    /** Invocations refused with 429 TooManyRequestsException. */
    long throttles();
}
