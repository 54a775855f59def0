package cloister.market.sql;

import cloister.market.data.Schema;
import java.nio.charset.StandardCharsets;

/**
 * The gate for buyers' SQL. Accepts exactly one shape:
 *
 * <pre>
 * SELECT item [, item …] FROM table
 *   [WHERE condition]
 *   [GROUP BY column [, column …]]
 *   [ORDER BY key [ASC|DESC] [, …]]
 *   [;]
 * </pre>
 *
 * <p>An item is a GROUP BY column or an aggregate — {@code COUNT(*)}, {@code COUNT(col)} (any column), {@code SUM},
 * {@code AVG}, {@code MIN}, {@code MAX}, {@code MEDIAN(col)} or {@code QUANTILE(col, p)} over a numeric column — each
 * optionally {@code AS alias}. A condition compares a declared column with a literal ({@code =, <>, !=, <, <=, >, >=},
 * {@code [NOT] IN (…)}, {@code [NOT] BETWEEN … AND …}, {@code IS [NOT] NULL}), combined with AND, OR, NOT and
 * parentheses. An ORDER BY key names a result column (alias, group column or the same aggregate) or its position.
 * Keywords are case-insensitive, names are lower-cased, and the table name is the buyer's label for the dataset.
 *
 * <p>Everything else is refused with a {@link SqlRefusal} and a message saying what and where. The text is never
 * given to a database: an engine renders its own SQL from the {@link GuardedQuery} tree.
 */
public final class GuardedSql {
    /** The longest query, in UTF-8 bytes. */
    public static final int MAX_SQL_BYTES = 4096;
    /** The most selected values. */
    public static final int MAX_SELECT_ITEMS = 16;
    /** The most GROUP BY columns. */
    public static final int MAX_GROUP_COLUMNS = 4;
    /** The deepest WHERE condition: a comparison is depth 1, each enclosing parenthesis or NOT adds one. */
    public static final int MAX_PREDICATE_DEPTH = 16;

    private GuardedSql() {}

    /**
     * Checks {@code sql} against a dataset's schema.
     *
     * @return {@link QueryCheck.Accepted} with the parsed query, or {@link QueryCheck.Refused} with the first
     *     problem in reading order
     */
    public static QueryCheck check(String sql, Schema schema) {
        if (sql == null || schema == null) {
            throw new IllegalArgumentException("check needs the SQL text and the schema");
        }
        int bytes = sql.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SQL_BYTES) {
            return new QueryCheck.Refused(SqlRefusal.TOO_COMPLEX, "the query is " + bytes + " bytes long; the limit is "
                    + MAX_SQL_BYTES);
        }
        try {
            return new QueryCheck.Accepted(SqlParser.parse(sql, schema));
        } catch (SqlParser.Refusal r) {
            return new QueryCheck.Refused(r.reason, r.getMessage());
        }
    }
}
