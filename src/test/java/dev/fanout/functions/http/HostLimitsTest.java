package dev.fanout.functions.http;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** A batch of many hosts keeps the first ones by name and forgets the others once they are idle. */
class HostLimitsTest {
    private static void request(HostLimits hosts, String host, HostLimits.Outcome outcome) throws Exception {
        HostLimits.Host h = hosts.of(URI.create("https://" + host + "/"));
        h.release(h.acquire(), outcome);
    }

    @Test
    void aMillionHostsCannotFillTheHeap() throws Exception {
        HostLimits hosts = new HostLimits(8);
        for (int i = 0; i < HostLimits.MAX_LABELLED + 5000; i++) {
            request(hosts, "h" + i + ".example", HostLimits.Outcome.THROTTLED);
        }
        assertEquals(HostLimits.MAX_LABELLED, hosts.size(), "the named hosts stay, the others are forgotten when idle");
        assertEquals(5000, hosts.other().throttles(), "the others' throttles still count, together");
        assertEquals("h0.example", hosts.of(URI.create("https://h0.example/")).label());
        assertEquals(6, hosts.of(URI.create("https://h0.example/")).limit(), "a named host keeps what it learned");
    }

    @Test
    void aBusyUnnamedHostIsShared() throws Exception {
        HostLimits hosts = new HostLimits(8);
        for (int i = 0; i < HostLimits.MAX_LABELLED; i++) {
            request(hosts, "h" + i + ".example", HostLimits.Outcome.ANSWERED);
        }
        HostLimits.Host busy = hosts.of(URI.create("https://busy.example/"));
        var permit = busy.acquire();
        assertSame(busy, hosts.of(URI.create("https://busy.example:443/")), "one limit while it has requests");
        busy.release(permit, HostLimits.Outcome.ANSWERED);
        assertEquals(HostLimits.MAX_LABELLED, hosts.size());
    }
}
