package dev.fanout.execution.batch;

import dev.fanout.core.ErrorType;
import dev.fanout.core.LogHistogram;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskState;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch's statistics, kept as its results come in (one {@link #record} per result), in fixed memory: two
 * {@link LogHistogram}s, a count and up to {@link #SAMPLES} messages per error type, and the completions of the last
 * 10 s in 500 ms slots. Thread-safe.
 *
 * <p>Queue wait is measured for results whose last attempt was the task's first: its {@code startedAt} minus the
 * batch's {@code createdAt}. A retry's wait for its backoff, and when its attempt became eligible, are not stored, so
 * later attempts are left out rather than guessed. A task first started after a redrive counts from the batch's
 * acceptance too.
 */
public final class BatchStats {
    public static final int SAMPLES = 3;
    static final int MAX_MESSAGE = 300;
    static final long WINDOW_MILLIS = 10_000;
    private static final int SLOTS = 20;
    private static final long SLOT_MILLIS = WINDOW_MILLIS / SLOTS;

    private final long createdAt;
    private final LogHistogram durations = new LogHistogram();
    private final LogHistogram queueWaits = new LogHistogram();
    private final Map<ErrorType, long[]> errorCounts = new EnumMap<>(ErrorType.class);
    private final Map<ErrorType, List<String>> samples = new EnumMap<>(ErrorType.class);
    private final long[] slotStart = new long[SLOTS]; // which 500 ms slot (epoch ms / 500) each counter holds
    private final int[] slotCount = new int[SLOTS];

    /** @param createdAt the batch's acceptance, epoch ms */
    public BatchStats(long createdAt) {
        this.createdAt = createdAt;
    }

    /**
     * Counts one result.
     *
     * @param completedAt when it completed, epoch ms, for the rate; negative when unknown (not counted in the rate)
     */
    public synchronized void record(TaskResult r, long completedAt) {
        if (r.startedAt() != null && r.state() != TaskState.CANCELLED) {
            durations.record(r.durationMs());
        }
        if (r.startedAt() != null && r.attempts() == 1) {
            queueWaits.record(r.startedAt().toEpochMilli() - createdAt);
        }
        if (r.error() != null) {
            errorCounts.computeIfAbsent(r.error().type(), t -> new long[1])[0]++;
            List<String> s = samples.computeIfAbsent(r.error().type(), t -> new ArrayList<>(SAMPLES));
            String m = r.error().message();
            m = m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "..." : m;
            if (s.size() < SAMPLES && !s.contains(m)) {
                s.add(m);
            }
        }
        if (completedAt >= 0) {
            long slot = completedAt / SLOT_MILLIS;
            int i = (int) (slot % SLOTS);
            if (slotStart[i] != slot) {
                if (slotStart[i] > slot) {
                    return; // older than what the slot holds now: outside the window
                }
                slotStart[i] = slot;
                slotCount[i] = 0;
            }
            slotCount[i]++;
        }
    }

    /** Completions per second over the last 10 s (over the batch's age while it is younger, at least 1 s). */
    synchronized double rate(long now) {
        long current = now / SLOT_MILLIS;
        int n = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (slotStart[i] > current - SLOTS && slotStart[i] <= current) {
                n += slotCount[i];
            }
        }
        double seconds = Math.clamp((now - createdAt) / 1000.0, 1.0, WINDOW_MILLIS / 1000.0);
        return Math.round(n / seconds * 100) / 100.0;
    }

    public BatchDetails details(BatchStatus status, long now) {
        int done = status.succeeded() + status.failed() + status.cancelled();
        double rate = rate(now);
        Long eta = status.state() == BatchState.RUNNING && rate > 0
                ? (long) Math.ceil((status.total() - done) / rate) : null;
        return new BatchDetails(status, new BatchDetails.Progress(done, status.total(), rate, eta), stats());
    }

    synchronized BatchDetails.Stats stats() {
        Map<String, BatchDetails.Errors> errors = new LinkedHashMap<>();
        errorCounts.forEach((type, n) -> errors.put(type.name(),
                new BatchDetails.Errors(n[0], List.copyOf(samples.getOrDefault(type, List.of())))));
        List<BatchDetails.Bucket> histogram = durations.quarterOctaves().stream()
                .map(b -> new BatchDetails.Bucket(b.from(), b.to(), b.count())).toList();
        return new BatchDetails.Stats(percentiles(durations), percentiles(queueWaits),
                Collections.unmodifiableMap(errors), histogram);
    }

    private static BatchDetails.Percentiles percentiles(LogHistogram h) {
        if (h.count() == 0) {
            return new BatchDetails.Percentiles(0, null, null, null, null);
        }
        return new BatchDetails.Percentiles(h.count(), h.percentile(50), h.percentile(95), h.percentile(99),
                h.max());
    }
}
