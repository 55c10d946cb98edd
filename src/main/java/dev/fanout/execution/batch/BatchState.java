package dev.fanout.execution.batch;

/** A batch's state. RUNNING until every task has its result. */
public enum BatchState {
    RUNNING,
    /** Every task succeeded. */
    SUCCEEDED,
    /** Finished with at least one failed task (also when failFast cancelled the rest). */
    FAILED,
    /** A client cancelled it. */
    CANCELLED
}
