package dev.fanout.execution.batch;

import java.util.Arrays;

/**
 * The order in which a batch's tasks got their results, with each result's place in the stream order (its seq), and
 * how far of it is published (stored, so visible to readers). Positions are given out under this log's lock, and
 * whoever appends is told so under it too: the journal then receives a batch's results in their order.
 */
final class CompletionLog {
    private final int[] indexAt;    // position -> task index
    private final int[] seqAt;      // position -> seq
    private final int[] positionOf; // task index -> position, -1 while it has no result
    private int size;               // guarded by this
    private int lastSeq;            // guarded by this
    private volatile int published;

    CompletionLog(int tasks) {
        this.indexAt = new int[tasks];
        this.seqAt = new int[tasks];
        this.positionOf = new int[tasks];
        Arrays.fill(positionOf, -1);
    }

    /** What happens to an appended result, called under the log's lock: in position order. */
    interface Appended {
        void at(int position, int seq, boolean last);
    }

    /** A result stored in an earlier run of the batch, loaded in seq order; it is published already. */
    synchronized void preload(int index, int seq) {
        indexAt[size] = index;
        seqAt[size] = seq;
        positionOf[index] = size;
        size++;
        published = size;
        lastSeq = Math.max(lastSeq, seq);
    }

    /** Seqs go on from here (a redriven batch's highest stored seq may be above its preloaded results). */
    synchronized void continueAfter(int seq) {
        lastSeq = Math.max(lastSeq, seq);
    }

    synchronized void append(int index, Appended then) {
        int position = size++;
        indexAt[position] = index;
        seqAt[position] = ++lastSeq;
        positionOf[index] = position;
        then.at(position, seqAt[position], size == indexAt.length);
    }

    synchronized boolean full() {
        return size == indexAt.length;
    }

    synchronized int lastSeq() {
        return lastSeq;
    }

    int published() {
        return published;
    }

    /** Marks everything before {@code upTo} published (called by one thread: the journal's writer). */
    void publish(int upTo) {
        if (upTo > published) {
            published = upTo;
        }
    }

    /** True when the task at {@code index} has a published result. */
    synchronized boolean isPublished(int index) {
        int p = positionOf[index];
        return p >= 0 && p < published;
    }

    synchronized int indexAt(int position) {
        return indexAt[position];
    }

    synchronized int seqAt(int position) {
        return seqAt[position];
    }

    /** The position of the first published result whose seq is above {@code seq}. */
    synchronized int positionAfterSeq(int seq) {
        int lo = 0;
        int hi = published;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (seqAt[mid] <= seq) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
