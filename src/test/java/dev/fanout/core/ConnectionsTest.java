package dev.fanout.core;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionsTest {

    @Test
    void aRequestThatFoundNoConnectionWasNeverSentWhateverWrapsIt() {
        assertTrue(Connections.neverSent(new CompletionException(new IOException(new ConnectException("refused")))));
        assertFalse(Connections.neverSent(new CompletionException(new SocketTimeoutException("read timed out"))),
                "a read timeout may come after the far side took the request");
        assertFalse(Connections.neverSent(new ClosedChannelException()));
    }

    @Test
    void aClosedChannelUnderAWriteIsTheClientGone() {
        assertTrue(Connections.closed(new UncheckedIOException(new IOException(new ClosedChannelException()))));
        assertFalse(Connections.closed(new IllegalStateException("a bug")));
    }

    @Test
    void aCycleOfCausesEnds() {
        IOException a = new IOException("a");
        IOException b = new IOException("b", a);
        a.initCause(b);
        assertFalse(Connections.closed(a));
        assertFalse(Connections.neverSent(a));
    }
}
