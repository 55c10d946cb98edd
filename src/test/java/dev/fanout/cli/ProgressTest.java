package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The progress line, redrawn on a terminal, printed every few seconds elsewhere, never when asked not to. */
class ProgressTest {
    private static JsonNode status(String json) throws Exception {
        return Json.mapper().readTree(json);
    }

    private static final String RUNNING = "{\"state\":\"RUNNING\",\"total\":1000,\"failed\":3,\"cancelled\":0,"
            + "\"progress\":{\"done\":450,\"total\":1000,\"tasksPerSecond\":84.5,\"etaSeconds\":7}}";

    @Test
    void formatsDoneTotalRateEtaAndFailures() throws Exception {
        assertEquals("[##########--------------] 450/1000 45% 84.5/s ETA 7s 3 failed RUNNING",
                Progress.format(status(RUNNING)));
        assertEquals("[------------------------] 0/10 0% RUNNING", Progress.format(status(
                "{\"state\":\"RUNNING\",\"total\":10,\"progress\":{\"done\":0,\"total\":10,\"tasksPerSecond\":null,"
                        + "\"etaSeconds\":null}}")));
        assertEquals("[########################] 10/10 100% 2 cancelled CANCELLED", Progress.format(status(
                "{\"state\":\"CANCELLED\",\"total\":10,\"succeeded\":8,\"failed\":0,\"cancelled\":2}")));
        assertEquals("3m05s", Progress.duration(185));
        assertEquals("2h07m", Progress.duration(2 * 3600 + 7 * 60 + 30));
    }

    @Test
    void redrawsInPlaceOnATerminal() throws Exception {
        StringWriter err = new StringWriter();
        Progress p = new Progress(new PrintWriter(err), Progress.Mode.AUTO, true, 5, System::nanoTime);
        p.update(status(RUNNING));
        p.update(status("{\"state\":\"RUNNING\",\"total\":1000,\"progress\":{\"done\":500,\"total\":1000}}"));
        p.finish(status("{\"state\":\"SUCCEEDED\",\"total\":1000,\"progress\":{\"done\":1000,\"total\":1000}}"));
        String[] draws = err.toString().split("\r", -1);
        assertEquals(4, draws.length);
        assertEquals("[##########--------------] 450/1000 45% 84.5/s ETA 7s 3 failed RUNNING", draws[1]);
        assertEquals(draws[1].length(), draws[2].length(), "a shorter line is padded over the longer one");
        assertEquals(draws[1].length() + System.lineSeparator().length(), draws[3].length());
        assertEquals(true, draws[3].endsWith(System.lineSeparator()));
    }

    @Test
    void printsALineEveryIntervalWhenNotATerminal() throws Exception {
        StringWriter err = new StringWriter();
        AtomicLong now = new AtomicLong();
        Progress p = new Progress(new PrintWriter(err), Progress.Mode.AUTO, false, 5, now::get);
        p.update(status(RUNNING)); // the first at once
        now.addAndGet(4_000_000_000L);
        p.update(status(RUNNING)); // too soon
        now.addAndGet(1_000_000_000L);
        p.update(status(RUNNING));
        p.finish(status(RUNNING));
        assertEquals(3, err.toString().lines().count());
        assertEquals(false, err.toString().contains("\r"));
    }

    @Test
    void alwaysRedrawsAndNeverIsSilent() throws Exception {
        StringWriter err = new StringWriter();
        Progress always = new Progress(new PrintWriter(err), Progress.Mode.ALWAYS, false, 5, System::nanoTime);
        always.update(status(RUNNING));
        assertEquals(true, err.toString().startsWith("\r"));
        StringWriter none = new StringWriter();
        Progress never = new Progress(new PrintWriter(none), Progress.Mode.NEVER, true, 5, System::nanoTime);
        never.update(status(RUNNING));
        never.finish(status(RUNNING));
        assertEquals("", none.toString());
    }

    @Test
    void aTerminalIsATtyDeviceNotAFileOrAPipe() {
        assertEquals(true, Progress.isTerminalDevice("/dev/pts/3"));
        assertEquals(true, Progress.isTerminalDevice("/dev/tty1"));
        assertEquals(false, Progress.isTerminalDevice("/tmp/fanout.err"));
        assertEquals(false, Progress.isTerminalDevice("pipe:[40517]"));
        assertEquals(false, Progress.isTerminalDevice("/dev/null"));
    }
}
