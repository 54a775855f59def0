package cloister.market.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import cloister.market.data.Column;
import cloister.market.data.ColumnType;
import org.junit.jupiter.api.Test;

/** The fixed-point grid of SUM and the histogram readings of MIN, MAX and QUANTILE. */
class NoisyReadingsTest {
    static Column real(double lo, double hi) {
        return new Column("v", ColumnType.REAL, lo, hi);
    }

    static Column integer(double lo, double hi) {
        return new Column("v", ColumnType.INT, lo, hi);
    }

    @Test
    void gridKeepsAboutSevenDigitsOfTheLargerBound() {
        assertEquals(new FixedPointGrid(-1, 2_500_000), FixedPointGrid.of(real(0, 250_000)));
        assertEquals(new FixedPointGrid(-5, 10_000_000), FixedPointGrid.of(real(0, 100)));
        assertEquals(new FixedPointGrid(-6, 10_000_000), FixedPointGrid.of(real(-10, 5)));
        assertEquals(new FixedPointGrid(0, 120), FixedPointGrid.of(integer(0, 120)));
        assertEquals(new FixedPointGrid(2, 10_000_000), FixedPointGrid.of(integer(-1_000_000_000, 0)));
        assertEquals(new FixedPointGrid(-15, 0), FixedPointGrid.of(real(0, 0)));
        FixedPointGrid cents = FixedPointGrid.of(real(0, 100_000));
        assertEquals(-2, cents.exponent());
        assertEquals(1234.56, cents.value(123_456));
        assertEquals("CAST(round(\"v\" * 100.0) AS BIGINT)", cents.unitsSql("\"v\""));
        assertEquals("CAST(round(\"v\" / 100.0) AS BIGINT)", FixedPointGrid.of(integer(0, 1_000_000_000)).unitsSql("\"v\""));
        assertEquals(500L, FixedPointGrid.of(integer(0, 1_000_000_000)).longValue(5));
    }

    @Test
    void smallIntRangesGetOneBucketPerValue() {
        BucketLayout score = BucketLayout.of(integer(0, 10));
        assertEquals(new BucketLayout(0, 1, 11, true), score);
        long[] counts = new long[11];
        counts[3] = 1;
        counts[5] = 1;
        counts[7] = 2;
        counts[9] = 1;
        assertEquals(3.0, score.quantile(counts, 0));
        assertEquals(5.0, score.quantile(counts, 0.4));
        assertEquals(7.0, score.quantile(counts, 0.5));
        assertEquals(9.0, score.quantile(counts, 1));
        assertEquals(3.0, score.min(counts, 0.9), "threshold 0.9: bucket 3 (count 1) passes");
        assertEquals(7.0, score.min(counts, 1.5), "threshold 1.5: the first bucket above it");
        assertEquals(7.0, score.max(counts, 1.5));
        assertEquals(3.0, score.min(counts, 5), "nothing above the threshold: QUANTILE(0)");
        assertNull(score.quantile(new long[11], 0.5), "no signal left");
        assertEquals(BucketLayout.BUCKETS, BucketLayout.of(integer(0, 64)).buckets());
        assertEquals(64, BucketLayout.of(integer(1, 64)).buckets());
        assertEquals(new BucketLayout(5, 1, 1, true), BucketLayout.of(real(5, 5)));
    }

    @Test
    void realRangesInterpolateInsideEqualBuckets() {
        BucketLayout income = BucketLayout.of(real(0, 6400));
        assertEquals(new BucketLayout(0, 100, 64, false), income);
        long[] counts = new long[64];
        counts[10] = 4; // [1000, 1100)
        counts[20] = 4; // [2000, 2100)
        assertEquals(1000.0, income.quantile(counts, 0));
        assertEquals(1050.0, income.quantile(counts, 0.25));
        assertEquals(1100.0, income.quantile(counts, 0.5));
        assertEquals(2050.0, income.quantile(counts, 0.75));
        assertEquals(2100.0, income.quantile(counts, 1));
        assertEquals(1000.0, income.min(counts, 2));
        assertEquals(2100.0, income.max(counts, 2));
        assertEquals("least(63, greatest(0, CAST(floor((\"v\" - CAST('0.0' AS DOUBLE)) / CAST('100.0' AS DOUBLE)) AS BIGINT)))",
                income.bucketSql("\"v\""));
    }
}
