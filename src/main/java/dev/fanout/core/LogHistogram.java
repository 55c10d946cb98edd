package dev.fanout.core;

import java.util.ArrayList;
import java.util.List;

/**
 * A log-linear histogram of non-negative whole numbers (milliseconds here): every power of two is cut into 16 equal
 * buckets, so its memory is fixed (592 counters, about 2.4 KB) whatever it counts, and a percentile it answers is
 * within 1/32 (about 3 %) of the exact one. Values below 32 are kept exactly; values from 2^40 (about 35 years in
 * milliseconds) on count as 2^40 - 1. The largest value is kept exactly ({@link #max()}).
 *
 * <pre>
 *  value v < 16: bucket v                 (width 1)
 *  value v in [2^e, 2^(e+1)), e >= 4:     bucket (e - 3) * 16 + (v >> (e - 4)) - 16   (width 2^(e-4), 1/16 of 2^e)
 *  a bucket's value: its middle, at most max()  -> |answer - exact| <= width / 2 <= exact / 32
 * </pre>
 *
 * Not thread-safe: its owner guards it.
 */
public final class LogHistogram {
    /** The highest relative error of {@link #percentile}: answers are within {@code exact * MAX_RELATIVE_ERROR}. */
    public static final double MAX_RELATIVE_ERROR = 1.0 / 32;
    private static final int SUB_BITS = 4;
    private static final int SUB = 1 << SUB_BITS;
    private static final int MAX_EXPONENT = 39;
    private static final long LARGEST = (1L << (MAX_EXPONENT + 1)) - 1;
    static final int BUCKETS = (MAX_EXPONENT - SUB_BITS + 2) * SUB;

    private final int[] counts = new int[BUCKETS];
    private long count;
    private long max = -1;

    /** Counts {@code value}; a negative one counts as 0. */
    public void record(long value) {
        long v = Math.min(Math.max(0, value), LARGEST);
        counts[bucket(v)]++;
        count++;
        max = Math.max(max, v);
    }

    public long count() {
        return count;
    }

    /** The largest value counted, exactly; -1 when empty. */
    public long max() {
        return max;
    }

    /**
     * The nearest-rank percentile: the value at rank {@code ceil(p / 100 * count)} of the sorted values, within
     * {@link #MAX_RELATIVE_ERROR}; -1 when empty.
     *
     * @param p from 0 (exclusive) to 100
     */
    public long percentile(double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile: expected above 0 and at most 100, got " + p);
        }
        if (count == 0) {
            return -1;
        }
        long rank = Math.max(1, (long) Math.ceil(p / 100 * count));
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += counts[b];
            if (seen >= rank) {
                return Math.min(middle(b), max);
            }
        }
        return max; // not reached: the counts add up to count
    }

    /** {@code count} values in {@code [from, to)}. */
    public record Bucket(long from, long to, long count) {
    }

    /**
     * The counts in coarser buckets for a chart: four per power of two ({@code [8, 10), [10, 12) ... [1024, 1280),
     * [1280, 1536) ...}; below 8 one per value), in order, empty ones left out. Each holds whole buckets of this
     * histogram, so the counts are exact.
     */
    public List<Bucket> quarterOctaves() {
        List<Bucket> out = new ArrayList<>();
        long from = -1;
        long to = 0;
        long n = 0;
        for (int b = 0; b < BUCKETS; b++) {
            if (counts[b] == 0) {
                continue;
            }
            long low = low(b);
            int e = 63 - Long.numberOfLeadingZeros(Math.max(low, 1));
            long width = low < 4 ? 1 : 1L << (e - 2);
            long start = low < 4 ? low : low & -width;
            if (start != from) {
                if (n > 0) {
                    out.add(new Bucket(from, to, n));
                }
                from = start;
                to = start + width;
                n = 0;
            }
            n += counts[b];
        }
        if (n > 0) {
            out.add(new Bucket(from, to, n));
        }
        return out;
    }

    /** The smallest value of a bucket. */
    private static long low(int bucket) {
        if (bucket < SUB) {
            return bucket;
        }
        int e = bucket / SUB + SUB_BITS - 1;
        return (1L << e) + (bucket % SUB) * (1L << (e - SUB_BITS));
    }

    static int bucket(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int e = 63 - Long.numberOfLeadingZeros(v);
        return (e - SUB_BITS + 1) * SUB + (int) (v >> (e - SUB_BITS)) - SUB;
    }

    private static long middle(int bucket) {
        if (bucket < SUB) {
            return bucket;
        }
        long width = 1L << (bucket / SUB - 1);
        return low(bucket) + (width - 1) / 2;
    }
}
