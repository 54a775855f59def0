package cloister.market.data;

import java.util.Optional;

/**
 * A record file that does not fit its schema, or is not well-formed CSV / JSON Lines. The message names the line (1 is
 * the first line of the file) and, where there is one, the schema column — never the offending value, which may be
 * personal data and the message may end up in a log. Unknown header columns and JSON keys are named by position for
 * the same reason. Parsing stops at the first invalid record.
 */
public final class InvalidRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What is wrong. */
    public enum Reason {
        /** The input holds no record at all (a CSV file needs at least its header row). */
        EMPTY_INPUT,
        /** A CSV header field or a JSON key that is not a column of the schema. */
        UNKNOWN_COLUMN,
        /** A schema column the CSV header does not name. */
        MISSING_COLUMN,
        /** A column named twice in a CSV header or in one JSON object. */
        DUPLICATE_COLUMN,
        /** A CSV record with more or fewer fields than the header. */
        COLUMN_COUNT,
        /** Broken CSV quoting: a quote inside an unquoted field, text after a closing quote, a quote never closed. */
        MALFORMED_CSV,
        /** A line that is not one well-formed flat JSON object. */
        MALFORMED_JSON,
        /** Bytes that are not valid UTF-8. */
        NOT_UTF8,
        /** A record longer than {@link RecordParser#MAX_RECORD_BYTES} (usually a quote that is never closed). */
        RECORD_TOO_LONG,
        /** A JSON value of the wrong kind for its column: a string for a number, a number for text, a nested value. */
        WRONG_TYPE,
        /** A numeric column's value that is not a number. */
        NOT_A_NUMBER,
        /** An int column's value with a fractional part. */
        NOT_AN_INTEGER,
        /** A number beyond a 64-bit integer (int columns) or a 64-bit float (real columns). */
        OUT_OF_RANGE,
        /** NaN or an infinity. */
        NOT_FINITE,
        /** A text value longer than {@link Schema#MAX_TEXT_BYTES} UTF-8 bytes. */
        TEXT_TOO_LONG
    }

    private final Reason reason;
    private final long line;
    private final String column;

    InvalidRecordException(Reason reason, long line, String column, String detail) {
        super(message(line, column, detail));
        this.reason = reason;
        this.line = line;
        this.column = column;
    }

    private static String message(long line, String column, String detail) {
        String where = line > 0 ? "line " + line : "";
        if (column != null) {
            where = where.isEmpty() ? "column " + column : where + ", column " + column;
        }
        return where.isEmpty() ? detail : where + ": " + detail;
    }

    public Reason reason() {
        return reason;
    }

    /** The line the record starts on (1-based); 0 when the problem is with the whole input. */
    public long line() {
        return line;
    }

    /** The schema column concerned, when there is one. */
    public Optional<String> column() {
        return Optional.ofNullable(column);
    }
}
