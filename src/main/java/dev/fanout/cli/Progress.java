package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A batch's progress on stderr, from its status ({@code GET /batches/{id}}): on a terminal one bar redrawn in place
 * with {@code \r}; elsewhere (a log, a pipe) a line every {@code interval}, so a log does not fill with redraws. The
 * last state is always printed, on a line of its own.
 */
final class Progress {
    /** How progress is shown: {@code auto} redraws on a terminal and prints lines elsewhere. */
    enum Mode { AUTO, ALWAYS, NEVER }

    private static final int BAR_WIDTH = 24;

    private final PrintWriter err;
    private final boolean redraw;
    private final boolean quiet;
    private final long intervalNanos;
    private final LongSupplier clock;
    private long lastPrinted = Long.MIN_VALUE;
    private int lastWidth;

    /**
     * @param terminal whether stderr is a terminal ({@link #stderrIsTerminal()})
     * @param interval seconds between lines when not redrawing
     */
    Progress(PrintWriter err, Mode mode, boolean terminal, double interval, LongSupplier clock) {
        this.err = err;
        this.quiet = mode == Mode.NEVER;
        this.redraw = mode == Mode.ALWAYS || (mode == Mode.AUTO && terminal);
        this.intervalNanos = (long) (interval * 1e9);
        this.clock = clock;
    }

    /**
     * Whether stderr, where the bar goes, is a terminal. Not {@code System.console()}: it speaks of stdin and stdout,
     * so it is null for {@code fanout submit f --wait > results.ndjson} on a terminal and set for {@code 2> log}.
     * Linux tells through {@code /proc/self/fd/2}; elsewhere the console is the best guess there is.
     */
    static boolean stderrIsTerminal() {
        try {
            return isTerminalDevice(Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    /** {@code /dev/pts/3}, {@code /dev/tty1}: a terminal; a file, a pipe ({@code pipe:[123]}), /dev/null: not. */
    static boolean isTerminalDevice(String target) {
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    }

    boolean redraws() {
        return redraw;
    }

    /** Shows the status now when redrawing, or when the interval has passed since the last line. */
    synchronized void update(JsonNode status) {
        if (quiet) {
            return;
        }
        String line = format(status);
        if (redraw) {
            // pad over what the longer previous line left behind
            err.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
            lastWidth = Math.max(lastWidth, line.length()); // what the terminal shows now, padding included
            err.flush();
            return;
        }
        long now = clock.getAsLong();
        if (lastPrinted == Long.MIN_VALUE || now - lastPrinted >= intervalNanos) {
            err.println(line);
            err.flush();
            lastPrinted = now;
        }
    }

    /** The final status, always shown, ending the line. */
    synchronized void finish(JsonNode status) {
        if (quiet) {
            return;
        }
        String line = format(status);
        if (redraw) {
            err.println("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
        } else {
            err.println(line);
        }
        err.flush();
    }

    /** {@code [#####-----] 450/1000 45% 84.5/s ETA 7s 3 failed RUNNING}. */
    static String format(JsonNode status) {
        JsonNode p = status.path("progress");
        long total = p.path("total").asLong(status.path("total").asLong());
        long done = p.has("done") ? p.path("done").asLong()
                : status.path("succeeded").asLong() + status.path("failed").asLong() + status.path("cancelled").asLong();
        int filled = total == 0 ? BAR_WIDTH : (int) Math.min(BAR_WIDTH, done * BAR_WIDTH / total);
        StringBuilder s = new StringBuilder("[").append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled))
                .append("] ").append(done).append('/').append(total);
        s.append(' ').append(total == 0 ? 100 : done * 100 / total).append('%');
        JsonNode rate = p.path("tasksPerSecond");
        if (rate.isNumber()) {
            s.append(String.format(Locale.ROOT, " %.1f/s", rate.asDouble()));
        }
        JsonNode eta = p.path("etaSeconds");
        if (eta.isNumber()) {
            s.append(" ETA ").append(duration(eta.asLong()));
        }
        long failed = status.path("failed").asLong();
        long cancelled = status.path("cancelled").asLong();
        if (failed > 0) {
            s.append(' ').append(failed).append(" failed");
        }
        if (cancelled > 0) {
            s.append(' ').append(cancelled).append(" cancelled");
        }
        return s.append(' ').append(status.path("state").asText("?")).toString();
    }

    /** {@code 42s}, {@code 3m05s}, {@code 2h07m}. */
    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
    }
}
