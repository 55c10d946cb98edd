package dev.fanout.core;

/** The final state of a task. A task has exactly one result, and the result carries one of these. */
public enum TaskState {
    SUCCEEDED,
    /** The task ran (or tried to) and did not produce output; {@link TaskResult#error()} says why. */
    FAILED,
    /** The batch was cancelled (or stopped by failFast) before the task finished. */
    CANCELLED
}
