package dev.fanout.functions.http;

import dev.fanout.core.KeyedLimits;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The requests to one host (host and port) share a limit: {@link Http#host} names it. How many hosts are kept and
 * shown is {@link KeyedLimits}' ({@code KeyedLimitsTest}).
 */
class HostLimitsTest {
    private static KeyedLimits.Key of(KeyedLimits hosts, String uri) {
        return hosts.of(Http.host(URI.create(uri)));
    }

    private static void request(KeyedLimits hosts, String host, KeyedLimits.Outcome outcome) throws Exception {
        KeyedLimits.Key h = of(hosts, "https://" + host + "/");
        h.release(h.acquire(), outcome);
    }

    @Test
    void aHostIsItsNameAndItsPortWhenAnotherThanTheSchemes() {
        assertEquals("h0.example", Http.host(URI.create("https://H0.Example/")));
        assertEquals("h0.example", Http.host(URI.create("https://h0.example:443/a?b")));
        assertEquals("h0.example", Http.host(URI.create("http://h0.example:80/")));
        assertEquals("h0.example:80", Http.host(URI.create("https://h0.example:80/")));
        assertEquals("h0.example:443", Http.host(URI.create("http://h0.example:443/")));
        assertEquals("127.0.0.1:8080", Http.host(URI.create("http://127.0.0.1:8080/")));
    }

    @Test
    void aBusyUnnamedHostIsShared() throws Exception {
        KeyedLimits hosts = new KeyedLimits(8);
        for (int i = 0; i < KeyedLimits.MAX_LABELLED; i++) {
            request(hosts, "h" + i + ".example", KeyedLimits.Outcome.TOOK_IT);
        }
        KeyedLimits.Key busy = of(hosts, "https://busy.example/");
        var permit = busy.acquire();
        assertSame(busy, of(hosts, "https://busy.example:443/"), "one limit while it has requests");
        busy.release(permit, KeyedLimits.Outcome.TOOK_IT);
        assertEquals(KeyedLimits.MAX_LABELLED, hosts.size());
    }
}
