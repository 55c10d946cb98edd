package dev.fanout.core;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.function.Predicate;

/**
 * What a network failure says about a request: the one reading shared by the Lambda backend and {@code invoke}, and
 * by the API for a client that went away.
 */
public final class Connections {
    private Connections() {
    }

    /**
     * Whether the request was never written: the failure can only happen while a connection opens (refused, no route,
     * no such host; Netty's connect timeout is a ConnectException too). Such a request may be sent again without
     * running anything twice; any other network error may have come after the far side took it (a read timeout, a
     * reset or a closed channel all may).
     */
    public static boolean neverSent(Throwable e) {
        return causedBy(e, c -> c instanceof ConnectException || c instanceof UnknownHostException
                || c instanceof NoRouteToHostException);
    }

    /** Whether the failure is the connection being closed under a write: the other side went away. */
    public static boolean closed(Throwable e) {
        return causedBy(e, c -> c instanceof ClosedChannelException);
    }

    /** Whether {@code e} or one of its causes (20 deep at most: causes can form a cycle) is what {@code test} wants. */
    private static boolean causedBy(Throwable e, Predicate<Throwable> test) {
        int depth = 0;
        for (Throwable c = e; c != null && depth++ < 20; c = c.getCause()) {
            if (test.test(c)) {
                return true;
            }
        }
        return false;
    }
}
