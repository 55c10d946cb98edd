package dev.fanout.execution.process;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RestartBreakerTest {
    private final RestartBreaker breaker = new RestartBreaker(new ProcessPoolConfig(1, List.of("w"), 0,
            Duration.ofSeconds(30), Duration.ofSeconds(10), Map.of()));

    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            breaker.failed();
        }
    }

    @Test
    void waitsLongerAfterEachFailureButNeverMoreThanTheCap() {
        fail(ProcessPoolConfig.MAX_START_FAILURES);
        assertFalse(breaker.restartNow());
        assertTrue(breaker.retryDelayNanos() <= Duration.ofSeconds(10).toNanos(), "the first wait is restartBackoff");
        fail(1);
        assertTrue(breaker.retryDelayNanos() >= Duration.ofSeconds(10).toNanos(), "then it doubles (half jittered)");
        fail(100);
        long delay = breaker.retryDelayNanos();
        assertTrue(delay <= ProcessPoolConfig.DEFAULT_MAX_RESTART_BACKOFF.toNanos(), "capped: " + delay);
        assertTrue(delay >= ProcessPoolConfig.DEFAULT_MAX_RESTART_BACKOFF.toNanos() / 2, "at the cap: " + delay);
    }

    @Test
    void aHelloEndsUnavailabilityAndForgetsTheFailures() {
        fail(7);
        breaker.unavailable("exited with code 1");
        assertTrue(breaker.unavailableReason().contains("(7 times in a row)"), breaker.unavailableReason());
        assertTrue(breaker.unavailableReason().contains("up to 5m"), breaker.unavailableReason());
        assertTrue(breaker.succeeded());
        assertNull(breaker.unavailableReason());
        assertTrue(breaker.restartNow());
    }
}
