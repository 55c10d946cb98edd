package dev.fanout.core;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/** What a network failure says about a request: the one reading shared by the Lambda backend and {@code invoke}. */
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
        int depth = 0;
        for (Throwable c = e; c != null && depth++ < 20; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof UnknownHostException
                    || c instanceof NoRouteToHostException) {
                return true;
            }
        }
        return false;
    }
}
