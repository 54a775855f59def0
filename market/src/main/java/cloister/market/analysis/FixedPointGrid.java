package cloister.market.analysis;

import cloister.market.data.Column;
import cloister.market.data.ColumnType;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The integer grid a SUM is taken on, so integer noise can be added exactly: a value v counts as
 * {@code round(v / 10^exponent)} units. The exponent is the smallest with {@code |bound| / 10^exponent ≤ 10^7}, i.e.
 * about seven significant digits of the larger bound (income in [0, 250000] → units of 0.1; a score in [0, 100] →
 * 10⁻⁵), never below 0 for INT columns (whole numbers stay exact) nor below −15. Seven digits of the bound is far finer than
 * the noise, whose scale is the bound itself times the contribution cap over ε, and keeps every sum of up to 10¹¹
 * rows inside a long.
 */
record FixedPointGrid(int exponent, long maxUnits) {
    static final long MAX_UNITS = 10_000_000L;
    static final int MIN_EXPONENT = -15;

    static FixedPointGrid of(Column column) {
        double bound = Math.max(Math.abs(column.lower()), Math.abs(column.upper()));
        int e = column.type() == ColumnType.INT ? 0 : MIN_EXPONENT;
        while (unitsOf(bound, e).compareTo(BigDecimal.valueOf(MAX_UNITS)) > 0) {
            e++;
        }
        return new FixedPointGrid(e, unitsOf(bound, e).setScale(0, RoundingMode.CEILING).longValueExact());
    }

    private static BigDecimal unitsOf(double value, int exponent) {
        return new BigDecimal(value).scaleByPowerOfTen(-exponent);
    }

    /** SQL for a value's units: {@code CAST(round(col × 10^-e) AS BIGINT)}; {@code quoted} is a checked, quoted column. */
    String unitsSql(String quoted) {
        if (exponent == 0) {
            return "CAST(round(" + quoted + ") AS BIGINT)";
        }
        String scale = BigDecimal.ONE.scaleByPowerOfTen(Math.abs(exponent)).toPlainString();
        return "CAST(round(" + quoted + (exponent < 0 ? " * " : " / ") + scale + ".0) AS BIGINT)";
    }

    /** {@code units × 10^exponent} as a double. */
    double value(long units) {
        return BigDecimal.valueOf(units).scaleByPowerOfTen(exponent).doubleValue();
    }

    /** {@code units × 10^exponent} as a long (INT columns, exponent ≥ 0). */
    long longValue(long units) {
        return BigDecimal.valueOf(units).scaleByPowerOfTen(exponent).longValue();
    }
}
