package cloister.market.analysis;

import cloister.market.data.Column;
import cloister.market.data.ColumnType;
import cloister.market.data.Schema;
import cloister.market.sql.Literal;
import cloister.market.sql.Predicate;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Renders the engine's own SQL from a checked query tree: identifiers are looked up in the schema again and quoted,
 * literals become {@code ?} parameters. No text of the buyer's reaches DuckDB.
 */
final class DuckSql {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    private DuckSql() {}

    /** A declared column, quoted. */
    static String quote(Schema schema, String column) {
        if (!NAME.matcher(column).matches() || schema.column(column).isEmpty()) {
            throw new IllegalArgumentException("not a declared column: " + column);
        }
        return "\"" + column + "\"";
    }

    /** The WHERE condition with {@code ?} for every literal; the values to bind are appended to {@code params}. */
    static String condition(Predicate p, Schema schema, List<Object> params) {
        return switch (p) {
            case Predicate.Comparison c -> quote(schema, c.column()) + " " + c.op().sql() + " " + param(schema, c.column(), c.value(), params);
            case Predicate.InList in -> {
                List<String> marks = new ArrayList<>();
                for (Literal v : in.values()) {
                    marks.add(param(schema, in.column(), v, params));
                }
                yield quote(schema, in.column()) + (in.negated() ? " NOT IN (" : " IN (") + String.join(", ", marks) + ")";
            }
            case Predicate.Between b -> quote(schema, b.column()) + (b.negated() ? " NOT BETWEEN " : " BETWEEN ")
                    + param(schema, b.column(), b.low(), params) + " AND " + param(schema, b.column(), b.high(), params);
            case Predicate.IsNull n -> quote(schema, n.column()) + (n.negated() ? " IS NOT NULL" : " IS NULL");
            case Predicate.And a -> join(a.terms(), " AND ", schema, params);
            case Predicate.Or o -> join(o.terms(), " OR ", schema, params);
            case Predicate.Not n -> "(NOT " + condition(n.term(), schema, params) + ")";
        };
    }

    private static String join(List<Predicate> terms, String op, Schema schema, List<Object> params) {
        List<String> parts = new ArrayList<>();
        for (Predicate t : terms) {
            parts.add(condition(t, schema, params));
        }
        return "(" + String.join(op, parts) + ")";
    }

    /** A literal bound in the column's type: Long for a whole number against INT, Double for numbers, String for text. */
    private static String param(Schema schema, String column, Literal literal, List<Object> params) {
        Column c = schema.column(column).orElseThrow(() -> new IllegalArgumentException("not a declared column: " + column));
        params.add(switch (literal) {
            case Literal.Text t -> {
                if (c.type() != ColumnType.TEXT) {
                    throw new IllegalArgumentException("a string compared with numeric column " + column);
                }
                yield t.value();
            }
            case Literal.Numeric n -> {
                if (c.type() == ColumnType.TEXT) {
                    throw new IllegalArgumentException("a number compared with text column " + column);
                }
                yield c.type() == ColumnType.INT && isLong(n.value()) ? (Object) n.value().longValueExact() : (Object) n.value().doubleValue();
            }
        });
        return "?";
    }

    private static boolean isLong(BigDecimal v) {
        try {
            v.longValueExact();
            return true;
        } catch (ArithmeticException e) {
            return false;
        }
    }
}
