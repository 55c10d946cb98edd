package dev.fanout.store;

import dev.fanout.core.TaskResult;

/** What a running batch writes as it goes; a group of changes is applied in one transaction ({@link Store#apply}). */
public sealed interface Change {

    String batchId();

    /** Attempt {@code attempt} of the task at {@code index} started: after a crash it counts as run. */
    record Started(String batchId, int index, int attempt) implements Change {
    }

    /** The task at {@code index} has its result, the {@code seq}-th of the batch in completion order. */
    record Finished(String batchId, int index, int seq, TaskResult result) implements Change {
    }

    /**
     * The batch stops (failFast, tolerated failures): its tasks without a result are not run again, also by the next
     * instance to take it up. Written with the result that crossed the threshold, in the same transaction.
     */
    record Stopped(String batchId, String reason, boolean byClient) implements Change {
    }

    /** Tasks of the batch running now, as its owner sees them (shown by other instances). */
    record Progress(String batchId, int running) implements Change {
    }

    /**
     * Every task has its result: the batch ends in {@code state}, written only by the run that holds it (an instance
     * that lost the batch cannot end it).
     */
    record Ended(String batchId, String state, long finishedAt) implements Change {
    }
}
