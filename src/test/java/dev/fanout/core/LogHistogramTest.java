package dev.fanout.core;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogHistogramTest {
    private static final double[] PERCENTILES = {1, 10, 50, 90, 95, 99, 99.9, 100};

    /** The exact nearest-rank percentile of sorted values. */
    private static long exact(long[] sorted, double p) {
        return sorted[(int) Math.max(1, Math.ceil(p / 100 * sorted.length)) - 1];
    }

    private static void assertWithinBound(long[] values) {
        LogHistogram h = new LogHistogram();
        for (long v : values) {
            h.record(v);
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        for (double p : PERCENTILES) {
            long want = exact(sorted, p);
            long got = h.percentile(p);
            assertTrue(Math.abs(got - want) <= want * LogHistogram.MAX_RELATIVE_ERROR,
                    "p" + p + ": exact " + want + ", answered " + got);
        }
        assertEquals(sorted[sorted.length - 1], h.max(), "the max is exact");
        assertEquals(values.length, h.count());
    }

    @Test
    void percentilesOfSkewedDurationsAreWithinAThirtySecondOfTheExactOnes() {
        Random random = new Random(42);
        long[] values = new long[100_000];
        for (int i = 0; i < values.length; i++) { // log-normal around 100 ms, a long tail into minutes
            values[i] = Math.round(Math.exp(Math.log(100) + 1.5 * random.nextGaussian()));
        }
        assertWithinBound(values);
    }

    @Test
    void percentilesOfUniformValuesAcrossEveryPowerOfTwoAreWithinTheBound() {
        Random random = new Random(7);
        long[] values = new long[50_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextLong(1L << random.nextInt(1, 40));
        }
        assertWithinBound(values);
    }

    @Test
    void smallValuesAreExact() {
        LogHistogram h = new LogHistogram();
        for (int v = 1; v <= 31; v++) {
            h.record(v);
        }
        assertEquals(16, h.percentile(50));
        assertEquals(30, h.percentile(95));
        assertEquals(31, h.percentile(100));
    }

    @Test
    void everyValueLandsInABucketOfItsOwnRangeAndTheBucketsAreFixed() {
        int last = -1;
        for (long v = 0; v < 1 << 20; v++) { // buckets grow with the value, never skip back
            int b = LogHistogram.bucket(v);
            assertTrue(b == last || b == last + 1, "value " + v + ": bucket " + b + " after " + last);
            last = b;
        }
        assertEquals(LogHistogram.BUCKETS - 1, LogHistogram.bucket((1L << 40) - 1));
        assertEquals(592, LogHistogram.BUCKETS, "fixed memory: 592 counters whatever is counted");
        LogHistogram h = new LogHistogram();
        h.record(Long.MAX_VALUE); // beyond the range: counted at its top, not lost
        h.record(-5);             // a clock that went back: counted as 0
        assertEquals(2, h.count());
        assertEquals((1L << 40) - 1, h.max());
        assertEquals(0, h.percentile(50));
    }

    @Test
    void anEmptyHistogramHasNoPercentilesAndBadPercentilesAreRefused() {
        LogHistogram h = new LogHistogram();
        assertEquals(-1, h.percentile(50));
        assertEquals(-1, h.max());
        assertThrows(IllegalArgumentException.class, () -> h.percentile(0));
        assertThrows(IllegalArgumentException.class, () -> h.percentile(101));
    }

    @Test
    void quarterOctavesCountEveryValueInTheBucketThatHoldsIt() {
        Random random = new Random(11);
        LogHistogram h = new LogHistogram();
        Map<Long, Long> expected = new TreeMap<>(); // bucket start -> count, bucket computed by hand from each value
        for (int i = 0; i < 20_000; i++) {
            long v = Math.round(Math.exp(Math.log(200) + 2 * random.nextGaussian()));
            h.record(v);
            long start;
            if (v < 8) {
                start = v;
            } else {
                long octave = Long.highestOneBit(v);
                long width = octave / 4;
                start = octave + (v - octave) / width * width;
            }
            expected.merge(start, 1L, Long::sum);
        }
        List<LogHistogram.Bucket> buckets = h.quarterOctaves();
        Map<Long, Long> got = new TreeMap<>();
        long previousEnd = -1;
        for (LogHistogram.Bucket b : buckets) {
            assertTrue(b.from() >= previousEnd, "in order, not overlapping: " + buckets);
            assertTrue(b.count() > 0, "no empty bucket: " + b);
            long width = b.from() < 8 ? 1 : Long.highestOneBit(b.from()) / 4;
            assertEquals(b.from() + width, b.to(), "a quarter of its power of two: " + b);
            got.put(b.from(), b.count());
            previousEnd = b.to();
        }
        assertEquals(expected, got);
        assertEquals(List.of(new LogHistogram.Bucket(896, 1024, 3), new LogHistogram.Bucket(1024, 1280, 1)),
                histogramOf(1000, 1001, 1023, 1024));
    }

    private static List<LogHistogram.Bucket> histogramOf(long... values) {
        LogHistogram h = new LogHistogram();
        for (long v : values) {
            h.record(v);
        }
        return h.quarterOctaves();
    }
}
