package dev.fanout.api;

import io.quarkus.vertx.http.HttpServer;
import io.quarkus.vertx.http.HttpServerStart;
import io.vertx.core.http.HttpServerOptions;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Where the warm-up sends its batches, from the HTTP server's start event; and whose key it admits. */
class WarmUpTest {

    /** The server's own port as it can be when the start event arrives: not registered yet. */
    private static WarmUp warmUp(int serverPort) {
        WarmUp w = new WarmUp();
        w.server = new HttpServer() {
            public int getPort() {
                return serverPort;
            }

            public int getSecurePort() {
                return -1;
            }

            public int getManagementPort() {
                return -1;
            }

            public URI getLocalBaseUri() {
                return null;
            }
        };
        return w;
    }

    private static HttpServerStart started(String host, int port) {
        return new HttpServerStart(new HttpServerOptions().setHost(host).setPort(port));
    }

    @Test
    void usesTheConfiguredPortEvenBeforeTheServerReportsIt() throws Exception {
        // the race seen in one start in seven: the event came before the server's port was registered (-1)
        WarmUp w = warmUp(-1);
        w.onHttpStart(started("0.0.0.0", 8123));
        assertEquals(URI.create("http://127.0.0.1:8123"), w.listening.get());
    }

    @Test
    void aRandomPortIsTheOneTheServerGot() throws Exception {
        WarmUp w = warmUp(41234);
        w.onHttpStart(started("::", 0));
        assertEquals(URI.create("http://127.0.0.1:41234"), w.listening.get());
    }

    @Test
    void aRandomPortNotKnownYetGivesUpInsteadOfCallingPortMinusOne() {
        WarmUp w = warmUp(-1);
        w.onHttpStart(started("0.0.0.0", 0));
        assertThrows(ExecutionException.class, w.listening::get);
    }

    @Test
    void aServerOnOneAddressIsCalledThere() throws Exception {
        WarmUp w = warmUp(-1);
        w.onHttpStart(started("fe80::1", 9000));
        assertEquals(URI.create("http://[fe80::1]:9000"), w.listening.get());
        WarmUp v4 = warmUp(-1);
        v4.onHttpStart(started("10.1.2.3", 9000));
        assertEquals(URI.create("http://10.1.2.3:9000"), v4.listening.get());
    }

    @Test
    void admitsNoKeyWhenNotWarmingUp() {
        WarmUp w = warmUp(8080);
        assertFalse(w.admits(""));
        assertFalse(w.admits(null));
        assertFalse(w.admits("anything"));
    }
}
