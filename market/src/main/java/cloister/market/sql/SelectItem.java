package cloister.market.sql;

import java.math.BigDecimal;

/** One selected value of a guarded query: a GROUP BY column or an aggregate, with an optional alias. */
public sealed interface SelectItem permits SelectItem.GroupColumn, SelectItem.Aggregate {

    /** The alias given with {@code AS}, or {@code null}. */
    String alias();

    /** The expression as canonical SQL, without the alias, e.g. {@code AVG(income)}. */
    String expression();

    /** The result column's name: the alias, or the expression in lower case (e.g. {@code avg(income)}). */
    String name();

    /** The item as canonical SQL, with {@code AS alias} if it has one. */
    default String sql() {
        return alias() == null ? expression() : expression() + " AS " + alias();
    }

    /** A column that is also in GROUP BY: the result shows the group's value. */
    record GroupColumn(String column, String alias) implements SelectItem {
        @Override
        public String expression() {
            return column;
        }

        @Override
        public String name() {
            return alias == null ? column : alias;
        }
    }

    /**
     * An aggregate over the group's rows.
     *
     * @param column   the column aggregated; {@code null} for {@code COUNT(*)}
     * @param fraction {@code p} of {@code QUANTILE(col, p)}, in [0, 1] with trailing zeros stripped; {@code null} for
     *                 the other functions
     */
    record Aggregate(AggregateFunction function, String column, BigDecimal fraction, String alias) implements SelectItem {
        public Aggregate {
            if (function == null) {
                throw new IllegalArgumentException("an aggregate has a function");
            }
            if (column == null && function != AggregateFunction.COUNT) {
                throw new IllegalArgumentException(function + " needs a column");
            }
            if ((function == AggregateFunction.QUANTILE) != (fraction != null)) {
                throw new IllegalArgumentException("only QUANTILE takes a fraction, and it needs one");
            }
            if (fraction != null) {
                fraction = fraction.stripTrailingZeros();
                if (fraction.signum() < 0 || fraction.compareTo(BigDecimal.ONE) > 0) {
                    throw new IllegalArgumentException("QUANTILE's fraction is between 0 and 1");
                }
            }
        }

        /** The quantile this item reads off a histogram: p for QUANTILE, ½ for MEDIAN, 0 for MIN, 1 for MAX. */
        public double quantile() {
            return switch (function) {
                case QUANTILE -> fraction.doubleValue();
                case MEDIAN -> 0.5;
                case MIN -> 0;
                case MAX -> 1;
                default -> throw new IllegalStateException(function + " is not read off a histogram");
            };
        }

        /** Whether this item is answered from a noisy histogram (MIN, MAX, QUANTILE, MEDIAN). */
        public boolean histogram() {
            return switch (function) {
                case MIN, MAX, QUANTILE, MEDIAN -> true;
                default -> false;
            };
        }

        /** The same aggregate with another alias. */
        public Aggregate withAlias(String newAlias) {
            return new Aggregate(function, column, fraction, newAlias);
        }

        /** The same aggregate without alias (to compare expressions). */
        Aggregate unaliased() {
            return alias == null ? this : new Aggregate(function, column, fraction, null);
        }

        @Override
        public String expression() {
            String arg = column == null ? "*" : column;
            if (fraction != null) {
                arg += ", " + GuardedQuery.number(fraction);
            }
            return function.name() + "(" + arg + ")";
        }

        @Override
        public String name() {
            if (alias != null) {
                return alias;
            }
            String arg = column == null ? "*" : column;
            if (fraction != null) {
                arg += ", " + GuardedQuery.number(fraction);
            }
            return function.word() + "(" + arg + ")";
        }
    }
}
