package dev.fanout.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the duration syntax of the API: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h} (decimals allowed,
 * e.g. {@code 1.5s}) and ISO-8601 ({@code PT30S}).
 */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");
    public static final String SYNTAX = "a duration such as 250ms, 30s, 5m, 1h or ISO-8601 PT30S";

    private Durations() {
    }

    /** @throws IllegalArgumentException with a message saying what is accepted */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("expected " + SYNTAX + ", got an empty value");
        }
        String s = text.trim();
        Matcher m = SHORT.matcher(s);
        if (m.matches()) {
            double amount = Double.parseDouble(m.group(1));
            double millis = switch (m.group(2)) {
                case "ms" -> amount;
                case "s" -> amount * 1_000;
                case "m" -> amount * 60_000;
                default -> amount * 3_600_000;
            };
            if (millis > Long.MAX_VALUE / 1_000_000 / 2) {
                throw new IllegalArgumentException("duration '" + text + "' is too long");
            }
            return Duration.ofNanos(Math.round(millis * 1_000_000));
        }
        if (s.startsWith("P") || s.startsWith("p")) {
            try {
                Duration d = Duration.parse(s);
                if (d.isNegative()) {
                    throw new IllegalArgumentException("duration '" + text + "' is negative");
                }
                return d;
            } catch (DateTimeParseException | ArithmeticException e) {
                // fall through to the common message
            }
        }
        throw new IllegalArgumentException("expected " + SYNTAX + ", got '" + text + "'");
    }

    /** Formats in the same syntax, in the largest unit that is exact: {@code 1h}, {@code 5m}, {@code 30s}, {@code 250ms}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }
}
