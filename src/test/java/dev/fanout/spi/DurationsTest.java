package dev.fanout.spi;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurationsTest {

    @Test
    void parsesTheShortFormsAndIso8601() {
        assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
        assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
        assertEquals(Duration.ofMinutes(5), Durations.parse("5m"));
        assertEquals(Duration.ofHours(2), Durations.parse("2h"));
        assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
        assertEquals(Duration.ofSeconds(30), Durations.parse("PT30S"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("PT1H30M"));
    }

    @Test
    void rejectsAnythingElseWithTheAcceptedSyntaxInTheMessage() {
        for (String bad : new String[]{"", "30", "abc", "-5s", "5 years", "PT-5S", "1e400s"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad),
                    bad);
            assertTrue(e.getMessage().contains("250ms") || e.getMessage().contains("too long")
                    || e.getMessage().contains("negative"), e.getMessage());
        }
    }

    @Test
    void formatsWholeSecondsAndMilliseconds() {
        assertEquals("30s", Durations.format(Duration.ofSeconds(30)));
        assertEquals("5m", Durations.format(Duration.ofMinutes(5)));
        assertEquals("1h", Durations.format(Duration.ofHours(1)));
        assertEquals("90s", Durations.format(Duration.ofSeconds(90)));
        assertEquals("250ms", Durations.format(Duration.ofMillis(250)));
    }
}
