package dev.fanout.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** A batch of many keys keeps the first ones by name and forgets the others once they are idle. */
class KeyedLimitsTest {
    private static void call(KeyedLimits keys, String key, KeyedLimits.Outcome outcome) throws Exception {
        KeyedLimits.Key k = keys.of(key);
        k.release(k.acquire(), outcome);
    }

    @Test
    void aMillionKeysCannotFillTheHeap() throws Exception {
        KeyedLimits keys = new KeyedLimits(8);
        for (int i = 0; i < KeyedLimits.MAX_LABELLED + 5000; i++) {
            call(keys, "h" + i + ".example", KeyedLimits.Outcome.THROTTLED);
        }
        assertEquals(KeyedLimits.MAX_LABELLED, keys.size(), "the named keys stay, the others are forgotten when idle");
        assertEquals(5000, keys.other().throttles(), "the others' throttles still count, together");
        assertEquals("h0.example", keys.of("h0.example").label());
        assertEquals(6, keys.of("h0.example").limit(), "a named key keeps what it learned");
    }

    @Test
    void aBusyUnnamedKeyIsShared() throws Exception {
        KeyedLimits keys = new KeyedLimits(8);
        for (int i = 0; i < KeyedLimits.MAX_LABELLED; i++) {
            call(keys, "h" + i + ".example", KeyedLimits.Outcome.TOOK_IT);
        }
        KeyedLimits.Key busy = keys.of("busy.example");
        var permit = busy.acquire();
        assertEquals(KeyedLimits.OTHER, busy.label());
        assertSame(busy, keys.of("busy.example"), "one limit while it has calls");
        busy.release(permit, KeyedLimits.Outcome.TOOK_IT);
        assertEquals(KeyedLimits.MAX_LABELLED, keys.size());
    }

    @Test
    void watchersSeeTheNamedKeysNowAndAsTheyComeAndOnlyThose() throws Exception {
        KeyedLimits keys = new KeyedLimits(8);
        call(keys, "early", KeyedLimits.Outcome.TOOK_IT);
        List<String> watched = new ArrayList<>();
        keys.watch(k -> watched.add(k.label()));
        assertEquals(List.of("early"), watched, "a key named before the watcher came");
        for (int i = 1; i < KeyedLimits.MAX_LABELLED + 3; i++) {
            call(keys, "k" + i, KeyedLimits.Outcome.NOTHING_LEARNED);
        }
        assertEquals(KeyedLimits.MAX_LABELLED, watched.size(), "each named key once, none of the others");
        assertEquals("k" + (KeyedLimits.MAX_LABELLED - 1), watched.getLast());
        assertEquals(KeyedLimits.OTHER, keys.other().label());
        assertEquals(0, keys.other().throttles(), "nothing learned is no throttle");
        assertEquals(8, keys.of("early").limit(), "nor a decrease");
    }
}
