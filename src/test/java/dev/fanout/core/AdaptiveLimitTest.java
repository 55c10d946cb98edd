package dev.fanout.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the limit learns: once per burst of throttles, never from successes far below it, never past its bounds. */
class AdaptiveLimitTest {

    private static List<AdaptiveLimit.Permit> acquire(AdaptiveLimit limit, int n) {
        List<AdaptiveLimit.Permit> permits = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            permits.add(limit.tryAcquire().orElseThrow(() -> new AssertionError("no room for call " + permits.size())));
        }
        return permits;
    }

    @Test
    void givesNoMoreRoomThanTheLimit() {
        AdaptiveLimit limit = AdaptiveLimit.upTo(3);
        List<AdaptiveLimit.Permit> permits = acquire(limit, 3);
        assertEquals(Optional.empty(), limit.tryAcquire());
        permits.getFirst().ignored();
        assertTrue(limit.tryAcquire().isPresent());
    }

    @Test
    void aBurstOfThrottlesLowersTheLimitOnce() {
        AdaptiveLimit limit = AdaptiveLimit.upTo(16);
        List<AdaptiveLimit.Permit> permits = acquire(limit, 16);
        permits.subList(0, 14).forEach(AdaptiveLimit.Permit::throttled);
        assertEquals(12, limit.limit(), "16 x 0.75, once for the whole burst");
        // calls sent under the lower limit that are throttled again: that is news
        permits.subList(14, 16).forEach(AdaptiveLimit.Permit::ignored);
        acquire(limit, 12).getFirst().throttled();
        assertEquals(9, limit.limit());
    }

    @Test
    void successesFarBelowTheLimitDoNotRaiseIt() {
        AdaptiveLimit limit = AdaptiveLimit.upTo(16);
        List<AdaptiveLimit.Permit> burst = acquire(limit, 16);
        burst.forEach(AdaptiveLimit.Permit::throttled);
        assertEquals(12, limit.limit());
        for (int i = 0; i < 100; i++) { // one call at a time: 1 in flight of 12
            acquire(limit, 1).getFirst().succeeded();
        }
        assertEquals(12, limit.limit(), "a learned limit is kept while nothing tests it");
    }

    @Test
    void aLimitsWorthOfSuccessesAtTheLimitRaisesItByOneUpToTheMaximum() {
        AdaptiveLimit limit = AdaptiveLimit.upTo(4);
        acquire(limit, 4).forEach(AdaptiveLimit.Permit::throttled);
        assertEquals(3, limit.limit());
        for (int round = 0; round < 2; round++) { // the limit full, one success each: not yet a limit's worth
            acquire(limit, 3).forEach(AdaptiveLimit.Permit::succeeded);
            assertEquals(3, limit.limit());
        }
        acquire(limit, 3).forEach(AdaptiveLimit.Permit::succeeded);
        assertEquals(4, limit.limit(), "three successes that found the limit of 3 full: one more");
        for (int round = 0; round < 8; round++) {
            acquire(limit, 4).forEach(AdaptiveLimit.Permit::succeeded);
        }
        assertEquals(4, limit.limit(), "never above the maximum");
    }

    @Test
    void neverGoesBelowOne() {
        AdaptiveLimit limit = AdaptiveLimit.upTo(2);
        for (int i = 0; i < 10; i++) {
            acquire(limit, 1).getFirst().throttled();
        }
        assertEquals(1, limit.limit());
    }

    @Test
    void aPermitEndsOnce() {
        AdaptiveLimit limit = AdaptiveLimit.upTo(2);
        AdaptiveLimit.Permit permit = acquire(limit, 1).getFirst();
        permit.throttled();
        permit.ignored();
        permit.succeeded();
        permit.throttled();
        assertEquals(0, limit.inFlight(), "its room freed once");
        assertEquals(1, limit.limit(), "and its throttle counted once");
    }

    @Test
    void refusesAMaximumBelowOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdaptiveLimit.upTo(0));
        assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
    }
}
