package dev.fanout.functions.http;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** A Retry-After header (RFC 9110: seconds, or an HTTP date), as a wait of at most a cap. */
final class RetryAfter {
    private RetryAfter() {
    }

    /** Zero when absent or unreadable; never negative, never above {@code cap}. */
    static Duration parse(String value, Duration cap) {
        if (value == null || value.isBlank()) {
            return Duration.ZERO;
        }
        Duration wait;
        String v = value.trim();
        try {
            wait = Duration.ofSeconds(Long.parseLong(v));
        } catch (NumberFormatException notSeconds) {
            try {
                wait = Duration.between(Instant.now(),
                        ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException notADate) {
                return Duration.ZERO;
            }
        }
        if (wait.isNegative()) {
            return Duration.ZERO;
        }
        return wait.compareTo(cap) > 0 ? cap : wait;
    }
}
