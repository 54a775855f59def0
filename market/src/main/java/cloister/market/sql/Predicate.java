package cloister.market.sql;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A WHERE condition: comparisons of one declared column with literals, combined with AND, OR and NOT. SQL's
 * three-valued logic applies (a comparison with a NULL value is not true). Every column here was checked against the
 * dataset's schema and every literal against the column's type.
 */
public sealed interface Predicate
        permits Predicate.Comparison, Predicate.InList, Predicate.Between, Predicate.IsNull, Predicate.And,
        Predicate.Or, Predicate.Not {

    /** Canonical SQL text of this condition. */
    String sql();

    /** {@code column op value}. */
    record Comparison(String column, CompareOp op, Literal value) implements Predicate {
        @Override
        public String sql() {
            return column + " " + op.sql() + " " + value.sql();
        }
    }

    /** {@code column [NOT] IN (v1, v2, …)}, at least one value. */
    record InList(String column, List<Literal> values, boolean negated) implements Predicate {
        public InList {
            values = List.copyOf(values);
            if (values.isEmpty()) {
                throw new IllegalArgumentException("IN needs at least one value");
            }
        }

        @Override
        public String sql() {
            return column + (negated ? " NOT IN (" : " IN (")
                    + values.stream().map(Literal::sql).collect(Collectors.joining(", ")) + ")";
        }
    }

    /** {@code column [NOT] BETWEEN low AND high} (inclusive). */
    record Between(String column, Literal low, Literal high, boolean negated) implements Predicate {
        @Override
        public String sql() {
            return column + (negated ? " NOT BETWEEN " : " BETWEEN ") + low.sql() + " AND " + high.sql();
        }
    }

    /** {@code column IS [NOT] NULL}. */
    record IsNull(String column, boolean negated) implements Predicate {
        @Override
        public String sql() {
            return column + (negated ? " IS NOT NULL" : " IS NULL");
        }
    }

    /** All of the terms (at least two; none is itself an {@code And}). */
    record And(List<Predicate> terms) implements Predicate {
        public And {
            terms = List.copyOf(terms);
            if (terms.size() < 2) {
                throw new IllegalArgumentException("AND joins at least two terms");
            }
        }

        @Override
        public String sql() {
            return terms.stream().map(t -> t instanceof Or ? "(" + t.sql() + ")" : t.sql())
                    .collect(Collectors.joining(" AND "));
        }
    }

    /** Any of the terms (at least two; none is itself an {@code Or}). */
    record Or(List<Predicate> terms) implements Predicate {
        public Or {
            terms = List.copyOf(terms);
            if (terms.size() < 2) {
                throw new IllegalArgumentException("OR joins at least two terms");
            }
        }

        @Override
        public String sql() {
            return terms.stream().map(Predicate::sql).collect(Collectors.joining(" OR "));
        }
    }

    /** {@code NOT term}. */
    record Not(Predicate term) implements Predicate {
        @Override
        public String sql() {
            return term instanceof And || term instanceof Or ? "NOT (" + term.sql() + ")" : "NOT " + term.sql();
        }
    }
}
