package dev.fanout.testing;

/**
 * A Java agent that does nothing: whether its jar exists decides whether a JVM started with {@code -javaagent} starts
 * at all, which is how a test makes worker processes fail at start-up and then succeed.
 */
public final class NoopAgent {
    private NoopAgent() {
    }

    public static void premain(String args) {
        // nothing: loading is the point
    }
}
