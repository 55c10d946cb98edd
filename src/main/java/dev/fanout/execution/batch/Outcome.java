package dev.fanout.execution.batch;

import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskState;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How a batch ends: whether a stop was requested (a client's cancel, failFast, tolerated failures) and by whom, the
 * failures and cancellations so far (in memory, stored or not), and so the state its end is stored with.
 */
public final class Outcome {
    private final AtomicInteger failedSoFar = new AtomicInteger();
    private final AtomicInteger cancelledSoFar = new AtomicInteger();
    private volatile boolean stopping;
    private volatile boolean cancelledByClient;

    /** True once a stop was requested: no task is dispatched or retried any more. */
    public boolean isStopping() {
        return stopping;
    }

    /** Tasks that ended FAILED so far, in this run and the stored ones it resumed. */
    public int failedSoFar() {
        return failedSoFar.get();
    }

    /** Answers true for the first call only; a client's stop of a batch that has every result changes nothing. */
    synchronized boolean requestStop(boolean byClient, boolean allResultsIn) {
        if (stopping) {
            return false;
        }
        cancelledByClient = byClient && !allResultsIn;
        stopping = true;
        return true;
    }

    void count(TaskResult r) {
        if (r.state() == TaskState.FAILED) {
            failedSoFar.incrementAndGet();
        } else if (r.state() == TaskState.CANCELLED) {
            cancelledSoFar.incrementAndGet();
        }
    }

    /**
     * Why the batch stops once {@code r} is counted: failFast, or more tasks failed than {@code options} tolerate;
     * null when it goes on. (Every failure past the threshold answers it: each may carry the stop to the store.)
     */
    public String stopFor(TaskResult r, BatchOptions options, int total) {
        if (r.state() != TaskState.FAILED || failedSoFar.get() <= options.toleratedFailures(total)) {
            return null;
        }
        return options.failFast() ? "batch stopped by failFast after a failed task"
                : "batch stopped: more tasks failed than tolerated (" + options.tolerance() + ")";
    }

    boolean cancelledByClient() {
        return cancelledByClient;
    }

    /** The state its end is stored with, once every result is in. */
    public BatchState finalState() {
        if (cancelledByClient) {
            return BatchState.CANCELLED;
        }
        return failedSoFar.get() > 0 || cancelledSoFar.get() > 0 ? BatchState.FAILED : BatchState.SUCCEEDED;
    }
}
