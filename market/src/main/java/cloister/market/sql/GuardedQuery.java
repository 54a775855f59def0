package cloister.market.sql;

import cloister.common.Hash;
import cloister.crypto.Sha256;
import cloister.market.data.Schema;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A buyer's query that {@link GuardedSql#check} accepted against a dataset schema: an aggregate SELECT over one table,
 * as a tree. Only the checker creates these, so an engine that receives one knows every column is declared, every
 * aggregate fits its column's type and every limit holds. The buyer's text is kept only to be hashed and shown; the
 * engine generates its own SQL from the tree.
 */
public final class GuardedQuery {
    private final String sql;
    private final Schema schema;
    private final String table;
    private final List<SelectItem> items;
    private final Predicate where;
    private final List<String> groupBy;
    private final List<OrderKey> orderBy;

    GuardedQuery(String sql, Schema schema, String table, List<SelectItem> items, Predicate where, List<String> groupBy,
            List<OrderKey> orderBy) {
        this.sql = sql;
        this.schema = schema;
        this.table = table;
        this.items = List.copyOf(items);
        this.where = where;
        this.groupBy = List.copyOf(groupBy);
        this.orderBy = List.copyOf(orderBy);
    }

    /** The text exactly as the buyer submitted it. */
    public String sql() {
        return sql;
    }

    /** The schema the query was checked against. */
    public Schema schema() {
        return schema;
    }

    /** The buyer's name for the dataset (after FROM), lower-cased. The engine does not use it as SQL. */
    public String table() {
        return table;
    }

    /** The selected values, in order: the result's columns. */
    public List<SelectItem> items() {
        return items;
    }

    /** The aggregate items, in select order (the ones that spend ε). */
    public List<SelectItem.Aggregate> aggregates() {
        List<SelectItem.Aggregate> out = new ArrayList<>();
        for (SelectItem i : items) {
            if (i instanceof SelectItem.Aggregate a) {
                out.add(a);
            }
        }
        return out;
    }

    public Optional<Predicate> where() {
        return Optional.ofNullable(where);
    }

    /** The GROUP BY columns, without repeats; empty for a query over the whole table (one group). */
    public List<String> groupBy() {
        return groupBy;
    }

    /** The ORDER BY keys as written; the engine sorts by these, then by the GROUP BY columns. */
    public List<OrderKey> orderBy() {
        return orderBy;
    }

    /** The result's column names: each item's alias, or its expression in lower case. */
    public List<String> columnNames() {
        return items.stream().map(SelectItem::name).toList();
    }

    /**
     * The query in normal form: upper-case keywords, lower-case identifiers, single spaces, literals in canonical
     * form, {@code <>} for {@code !=}, AND/OR chains flattened, no trailing semicolon. Checking the canonical text
     * again gives the same canonical text.
     */
    public String canonicalSql() {
        StringBuilder sb = new StringBuilder("SELECT ");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(items.get(i).sql());
        }
        sb.append(" FROM ").append(table);
        if (where != null) {
            sb.append(" WHERE ").append(where.sql());
        }
        if (!groupBy.isEmpty()) {
            sb.append(" GROUP BY ").append(String.join(", ", groupBy));
        }
        if (!orderBy.isEmpty()) {
            sb.append(" ORDER BY ");
            for (int i = 0; i < orderBy.size(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                SelectItem item = items.get(orderBy.get(i).column());
                sb.append(item.alias() != null ? item.alias() : item.expression());
                if (orderBy.get(i).descending()) {
                    sb.append(" DESC");
                }
            }
        }
        return sb.toString();
    }

    /** SHA-256 of the submitted text's exact UTF-8 bytes (what the chain records for the job). */
    public Hash sqlHash() {
        return sqlHash(sql);
    }

    /** SHA-256 of {@code submitted}'s UTF-8 bytes, no domain prefix: the same as {@link #sqlHash()} of its check. */
    public static Hash sqlHash(String submitted) {
        return Sha256.hash(submitted.getBytes(StandardCharsets.UTF_8));
    }

    /** A number in canonical SQL form: plain decimal for ordinary magnitudes, scientific otherwise. */
    static String number(BigDecimal value) {
        BigDecimal v = value.stripTrailingZeros();
        int integerDigits = v.precision() - v.scale();
        if (v.scale() <= 20 && integerDigits <= 20) {
            return v.toPlainString();
        }
        return v.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GuardedQuery q && q.sql.equals(sql) && q.schema.equals(schema);
    }

    @Override
    public int hashCode() {
        return sql.hashCode() * 31 + schema.hashCode();
    }

    @Override
    public String toString() {
        return canonicalSql();
    }
}
