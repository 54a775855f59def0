package cloister.market.analysis;

import cloister.market.data.Column;
import cloister.market.data.ColumnType;

/**
 * The fixed histogram MIN, MAX, QUANTILE and MEDIAN are read from: {@link #BUCKETS} equal buckets over a numeric
 * column's declared range, or one bucket per value for an INT column with at most {@link #BUCKETS} values (then the
 * answers are exact values of the column). The layout depends only on the schema, never on the data.
 *
 * <p>Readings (on noisy counts, negative counts already set to 0; all post-processing):
 * <ul>
 *   <li>QUANTILE(p): the first bucket where the cumulative count reaches {@code p × total}, interpolated linearly
 *       inside a range bucket, the bucket's value for a value bucket; {@code null} when every count is 0.
 *   <li>MIN: the low edge of the first bucket whose count exceeds the threshold; MAX: the high edge of the last such
 *       bucket (the value itself for value buckets). If none exceeds it, QUANTILE(0) or QUANTILE(1).
 * </ul>
 */
record BucketLayout(double lower, double width, int buckets, boolean valueBuckets) {
    static final int BUCKETS = 64;

    static BucketLayout of(Column column) {
        double lo = column.lower();
        double hi = column.upper();
        if (lo == hi) {
            return new BucketLayout(lo, 1, 1, true);
        }
        if (column.type() == ColumnType.INT && hi - lo + 1 <= BUCKETS) {
            return new BucketLayout(lo, 1, (int) (hi - lo + 1), true);
        }
        return new BucketLayout(lo, (hi - lo) / BUCKETS, BUCKETS, false);
    }

    double upper() {
        return valueBuckets ? lower + buckets - 1 : lower + width * buckets;
    }

    /** SQL for a clamped value's bucket index; {@code quoted} is a checked, quoted column. */
    String bucketSql(String quoted) {
        return "least(" + (buckets - 1) + ", greatest(0, CAST(floor((" + quoted + " - " + SqlConstants.real(lower) + ") / "
                + SqlConstants.real(width) + ") AS BIGINT)))";
    }

    /** QUANTILE(p) of the counts; {@code null} if they are all 0. */
    Double quantile(long[] counts, double p) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return null;
        }
        double target = p * total;
        long cumulative = 0;
        for (int i = 0; i < buckets; i++) {
            long c = counts[i];
            if (c == 0) {
                continue;
            }
            if (cumulative + c >= target) {
                if (valueBuckets) {
                    return lower + i;
                }
                double inside = Math.max(0, Math.min(1, (target - cumulative) / c));
                return Math.min(upper(), lower + width * (i + inside));
            }
            cumulative += c;
        }
        return valueBuckets ? lower + lastNonZero(counts) : upper();
    }

    /** MIN: the first bucket with a count above {@code threshold}. */
    Double min(long[] counts, double threshold) {
        for (int i = 0; i < buckets; i++) {
            if (counts[i] > threshold) {
                return lower + (valueBuckets ? i : width * i);
            }
        }
        return quantile(counts, 0);
    }

    /** MAX: the last bucket with a count above {@code threshold}. */
    Double max(long[] counts, double threshold) {
        for (int i = buckets - 1; i >= 0; i--) {
            if (counts[i] > threshold) {
                return valueBuckets ? lower + i : Math.min(upper(), lower + width * (i + 1));
            }
        }
        return quantile(counts, 1);
    }

    private static int lastNonZero(long[] counts) {
        for (int i = counts.length - 1; i >= 0; i--) {
            if (counts[i] != 0) {
                return i;
            }
        }
        return 0;
    }
}
