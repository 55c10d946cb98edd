package dev.fanout.store;

import java.util.List;

/**
 * One API key name's limits, checked by the store in the transaction that admits a batch (a new one or a redrive), so
 * that they hold across every instance sharing it. 0 means no limit; {@link #NONE} checks nothing, reads nothing and
 * writes nothing: a key without quotas costs what it did before they existed.
 *
 * @param maxRunning        batches of the name RUNNING at once
 * @param maxTasksPerMinute tasks admitted in any 60 s (new batches' tasks and tasks run again by a redrive)
 * @param maxConcurrency    the sum of what its RUNNING batches reserve: each reserves min(maxConcurrency, its tasks)
 */
public record Quota(int maxRunning, int maxTasksPerMinute, int maxConcurrency) {
    public static final Quota NONE = new Quota(0, 0, 0);
    public static final long WINDOW_MILLIS = 60_000;
    public static final String MAX_RUNNING = "max-running";
    public static final String MAX_TASKS_PER_MINUTE = "max-tasks-per-minute";
    public static final String MAX_CONCURRENCY = "max-concurrency";

    public boolean limited() {
        return maxRunning > 0 || maxTasksPerMinute > 0 || maxConcurrency > 0;
    }

    /** Tasks admitted at {@code at}, still in the window. */
    public record Admission(long at, int tasks) {
    }

    /**
     * Refuses a batch of {@code tasks} tasks reserving {@code concurrency} when it would take {@code tenant} past a
     * limit, given what is RUNNING of that name and what it was admitted in the window (oldest first).
     *
     * @throws QuotaExceededException naming the first limit it would pass
     */
    public void check(String tenant, int running, long reserved, List<Admission> window, long now, int tasks,
                      int concurrency) {
        if (maxRunning > 0 && running + 1 > maxRunning) {
            throw new QuotaExceededException(tenant, MAX_RUNNING, maxRunning, 5, "key '" + tenant + "' has "
                    + running + " batch" + (running == 1 ? "" : "es") + " running, its most");
        }
        if (maxConcurrency > 0 && reserved + concurrency > maxConcurrency) {
            throw new QuotaExceededException(tenant, MAX_CONCURRENCY, maxConcurrency, 5, "key '" + tenant
                    + "' has batches running with a maxConcurrency of " + reserved + " in all; this one would add "
                    + concurrency + ", past its most of " + maxConcurrency);
        }
        if (maxTasksPerMinute > 0 && tasks > maxTasksPerMinute) {
            throw new QuotaExceededException(tenant, MAX_TASKS_PER_MINUTE, maxTasksPerMinute, 0, tasks + " tasks: "
                    + "key '" + tenant + "' may have at most " + maxTasksPerMinute + " accepted in a minute");
        }
        if (maxTasksPerMinute > 0) {
            long admitted = 0;
            for (Admission a : window) {
                admitted += a.tasks();
            }
            if (admitted + tasks > maxTasksPerMinute) {
                // the wait until enough of the window's admissions have left it
                long over = admitted + tasks - maxTasksPerMinute;
                long at = now;
                for (Admission a : window) {
                    over -= a.tasks();
                    at = a.at();
                    if (over <= 0) {
                        break;
                    }
                }
                long seconds = Math.max(1, (at + WINDOW_MILLIS - now + 999) / 1000);
                throw new QuotaExceededException(tenant, MAX_TASKS_PER_MINUTE, maxTasksPerMinute, seconds, "key '"
                        + tenant + "' had " + admitted + " tasks accepted in the last minute; " + tasks
                        + " more would pass its most of " + maxTasksPerMinute);
            }
        }
    }
}
