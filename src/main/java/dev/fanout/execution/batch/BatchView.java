package dev.fanout.execution.batch;

import dev.fanout.core.TaskResult;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a reader may see of a batch, wherever it is: running in this instance ({@link Batch}) or read from the store
 * (finished, or run by another instance). Only stored results are ever visible.
 */
public interface BatchView {

    /** A result and its place in the order it was asked in (completion order: its seq; input order: index + 1). */
    record Numbered(int seq, TaskResult result) {
    }

    String id();

    int total();

    /** The name of the API key it belongs to; null when stored before keys had names. */
    String tenant();

    BatchStatus status();

    /** The status with its progress and statistics ({@code GET /batches/{id}}). */
    BatchDetails details();

    /** The highest place in the completion order so far (above {@link #total()} once a batch was redriven). */
    int maxSeq();

    /** True once every result and the end are stored. */
    boolean isFinished();

    /**
     * Up to {@code limit} visible results after the first {@code after}: in completion order (seq above {@code after})
     * or in input order (from index {@code after}, up to the first task without a visible result).
     */
    List<Numbered> page(boolean inputOrder, int after, int limit);

    /** Completes at the next visible change (or soon after: a reader then looks again). */
    CompletableFuture<Void> nextChange();

    /**
     * Completes with the final status once finished, or exceptionally with {@link HandedOverException} when this
     * instance gave the batch up before its end: look it up again.
     */
    CompletableFuture<BatchStatus> done();

    /** True when this view will see nothing more: the batch is run elsewhere now, look it up again. */
    default boolean handedOver() {
        return false;
    }
}
