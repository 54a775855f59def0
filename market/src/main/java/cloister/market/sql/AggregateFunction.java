package cloister.market.sql;

import java.util.Locale;

/** The aggregates a guarded query may select. All but COUNT apply to numeric columns only. */
public enum AggregateFunction {
    /** {@code COUNT(*)} counts rows; {@code COUNT(col)} counts non-null values of any column. */
    COUNT,
    SUM,
    AVG,
    MIN,
    MAX,
    /** {@code QUANTILE(col, p)}, {@code 0 ≤ p ≤ 1}. */
    QUANTILE,
    /** {@code MEDIAN(col)}, the same as {@code QUANTILE(col, 0.5)}. */
    MEDIAN;

    /** The lower-case word, as in default result column names. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The function named by a lower-case word, or {@code null}. */
    static AggregateFunction ofWord(String word) {
        for (AggregateFunction f : values()) {
            if (f.word().equals(word)) {
                return f;
            }
        }
        return null;
    }
}
