package cloister.market.sql;

import cloister.common.Reason;

/**
 * Why {@link GuardedSql#check} refused a buyer's query. The codes are stable: the CLI and the HTTP API show the same
 * word and message.
 */
public enum SqlRefusal implements Reason {
    /** A selected value is neither a GROUP BY column nor an aggregate ({@code SELECT *}, a bare column, a constant). */
    NOT_AGGREGATE,
    /** A name that is not a declared column of the dataset (or, in ORDER BY, not a column of the result). */
    UNKNOWN_COLUMN,
    /** SUM, AVG, MIN, MAX, QUANTILE or MEDIAN over a text column (only COUNT applies to text). */
    TEXT_AGGREGATE,
    /** A text column compared with a number, or a numeric column with a string. */
    TYPE_MISMATCH,
    /** Not SQL of the accepted shape; the message gives the position and what was expected. */
    MALFORMED_SQL,
    /**
     * Valid SQL that the market does not run: joins, subqueries, functions other than the aggregates, UNION, WITH,
     * LIMIT/OFFSET, DISTINCT, HAVING, several statements, comments, and anything that touches files, databases or the
     * network (read_csv, COPY, ATTACH, PRAGMA, INSTALL, …). The message says which.
     */
    NOT_ALLOWED,
    /** Over a size limit: the text, the select items, the GROUP BY columns or the nesting of the predicate. */
    TOO_COMPLEX
}
