package dev.fanout.store;

import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;

/**
 * One task of a batch being resumed: what it is, how many attempts started, and its result if it has one.
 *
 * @param attempts     attempts started so far, in every run of the batch (the next one is {@code attempts + 1})
 * @param retriedAfter attempts started before the batch's latest redrive: its {@code retries} count from there, not
 *                     from each restart
 * @param seq          its result's place in the completion order, or 0 without a result
 * @param result       null while it has none
 */
public record StoredTask(int index, TaskSpec spec, int attempts, int retriedAfter, int seq, TaskResult result) {
}
