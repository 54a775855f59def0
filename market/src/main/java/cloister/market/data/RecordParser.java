package cloister.market.data;

import cloister.market.data.InvalidRecordException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Reads the records a person collects — a CSV file or JSON Lines — as typed rows of one {@link Schema}, streaming: memory
 * stays constant however large the file ({@link #MAX_RECORD_BYTES} per record), and progress is reported in bytes read.
 *
 * <p>A row is an {@code Object[]} in the schema's column order: {@link Long} for {@link ColumnType#INT}, {@link Double}
 * (finite) for {@link ColumnType#REAL}, {@link String} (at most {@link Schema#MAX_TEXT_BYTES} UTF-8 bytes) for
 * {@link ColumnType#TEXT}, or {@code null}. Values outside a numeric column's clamping bounds are kept (the analysis
 * engine clamps them) and counted per column in the {@link Summary}.
 *
 * <p><b>CSV</b> (RFC 4180): a header row naming exactly the schema's columns, in any order; fields separated by commas;
 * records ended by CRLF, LF or CR; a field may be quoted ({@code "a, ""b"""}), and a quoted field may span lines. An
 * empty unquoted field is null; a quoted empty field ({@code ""}) is the empty text (null in a numeric column). Spaces
 * and tabs around a number are ignored; around text they are kept.
 *
 * <p><b>JSON Lines</b>: one flat JSON object per line (RFC 8259); keys are column names, a missing key or JSON
 * {@code null} is null, an unknown key is refused. Int columns take integral numbers and {@code true}/{@code false}
 * (1/0), real columns numbers, text columns strings.
 *
 * <p>Both: UTF-8, with an optional byte-order mark; empty lines are skipped anywhere. Numbers are decimal:
 * {@code [+-]digits[.digits][e[+-]digits]} (JSON's stricter grammar in JSON Lines); an int column also takes a decimal
 * form of a whole number ({@code 42.0}, {@code 1e3}), as spreadsheets write them. The first invalid record stops the
 * parse with an {@link InvalidRecordException} naming line and column, never the value.
 *
 * <p>Not thread-safe. The caller owns the input stream (and closes it).
 */
public abstract sealed class RecordParser permits CsvRecordParser, JsonLinesRecordParser {
    /** The longest record (CSV record or JSON line) in bytes: it bounds the parser's memory. */
    public static final int MAX_RECORD_BYTES = 1 << 20;
    /** The longest number literal, in characters. */
    static final int MAX_NUMBER_CHARS = 1000;
    private static final int BUFFER = 1 << 16;
    /** 10^0 … 10^22: the powers of ten that are exact doubles. */
    private static final double[] POW10 = new double[23];

    static {
        POW10[0] = 1;
        for (int k = 1; k < POW10.length; k++) {
            POW10[k] = POW10[k - 1] * 10;
        }
    }

    /** The file formats records are read from. */
    public enum Format {
        CSV,
        JSONL;

        /** The format a file name suggests: {@code .csv}, or {@code .jsonl}/{@code .ndjson}/{@code .json}; case-insensitive. */
        public static Optional<Format> ofFileName(String fileName) {
            String n = fileName.toLowerCase(Locale.ROOT);
            if (n.endsWith(".csv")) {
                return Optional.of(CSV);
            }
            if (n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json")) {
                return Optional.of(JSONL);
            }
            return Optional.empty();
        }
    }

    /** One column's tallies. {@code outOfBounds} counts values outside the clamping bounds (kept, clamped later). */
    public record ColumnSummary(String column, long nulls, long outOfBounds) {}

    /** What a parse read: rows, bytes of input, and per column (schema order) nulls and out-of-bounds values. */
    public record Summary(long rows, long bytesRead, List<ColumnSummary> columns) {
        public Summary {
            columns = List.copyOf(columns);
        }

        /** The tallies of {@code column}. */
        public ColumnSummary column(String column) {
            for (ColumnSummary c : columns) {
                if (c.column().equals(column)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("no column " + column);
        }
    }

    /** Where {@link #parse} hands each row. */
    @FunctionalInterface
    public interface RowSink {
        void accept(Object[] row) throws IOException;
    }

    final Schema schema;
    final Column[] cols;
    private final InputStream in;
    private final LongConsumer progress;
    /** The input window: bytes {@code [pos, limit)} of {@code buf} are read and not consumed yet. */
    final byte[] buf = new byte[BUFFER];
    int pos;
    int limit;
    private long base;
    private boolean eof;
    /** The current line (1-based) and the line the record being read started on. */
    long line = 1;
    long recordLine = 1;
    /** The record being read, as bytes (CSV: unquoted field contents; JSON: the line). */
    byte[] rec = new byte[4096];
    int recLen;
    private long rows;
    private final long[] nulls;
    private final long[] outOfBounds;
    /** Per text column, a cache of recent values; null for other columns and once dropped. */
    private final TextCache[] textCaches;

    RecordParser(Schema schema, InputStream in, LongConsumer progress) {
        this.schema = Objects.requireNonNull(schema, "schema");
        this.cols = schema.columns().toArray(new Column[0]);
        this.in = Objects.requireNonNull(in, "in");
        this.progress = progress == null ? n -> { } : progress;
        this.nulls = new long[cols.length];
        this.outOfBounds = new long[cols.length];
        this.textCaches = new TextCache[cols.length];
        for (int c = 0; c < cols.length; c++) {
            if (cols[c].type() == ColumnType.TEXT) {
                textCaches[c] = new TextCache();
            }
        }
    }

    /**
     * Starts reading {@code in} as {@code format} records of {@code schema} (for CSV, reads and checks the header).
     *
     * @param progress called with the total number of bytes read so far, after every read from {@code in}; may be null
     * @throws InvalidRecordException if the CSV header does not name the schema's columns, or the input is empty
     */
    public static RecordParser open(Schema schema, Format format, InputStream in, LongConsumer progress)
            throws IOException, InvalidRecordException {
        RecordParser p = switch (format) {
            case CSV -> new CsvRecordParser(schema, in, progress);
            case JSONL -> new JsonLinesRecordParser(schema, in, progress);
        };
        p.skipByteOrderMark();
        p.start();
        return p;
    }

    /** Reads every record of {@code in} into {@code sink}; returns the summary. */
    public static Summary parse(Schema schema, Format format, InputStream in, LongConsumer progress, RowSink sink)
            throws IOException, InvalidRecordException {
        RecordParser p = open(schema, format, in, progress);
        for (Object[] row = p.next(); row != null; row = p.next()) {
            sink.accept(row);
        }
        return p.summary();
    }

    /**
     * The next row, in schema column order, or {@code null} at the end of the input.
     *
     * @throws InvalidRecordException at the first record that is not valid; the parser is then unusable
     */
    public final Object[] next() throws IOException, InvalidRecordException {
        Object[] row = readRow();
        if (row == null) {
            return null;
        }
        rows++;
        for (int c = 0; c < row.length; c++) {
            Object v = row[c];
            if (v == null) {
                nulls[c]++;
            } else if (v instanceof Long l ? l < cols[c].lower() || l > cols[c].upper()
                    : v instanceof Double d && (d < cols[c].lower() || d > cols[c].upper())) {
                outOfBounds[c]++;
            }
        }
        return row;
    }

    /** The rows read so far, the bytes read so far and the per-column tallies. */
    public final Summary summary() {
        List<ColumnSummary> out = new ArrayList<>(cols.length);
        for (int c = 0; c < cols.length; c++) {
            out.add(new ColumnSummary(cols[c].name(), nulls[c], outOfBounds[c]));
        }
        return new Summary(rows, bytesRead(), out);
    }

    /** Bytes of the input consumed so far. */
    public final long bytesRead() {
        return base + pos;
    }

    /** The schema the rows follow. */
    public final Schema schema() {
        return schema;
    }

    /** Reads the CSV header; nothing for JSON Lines. */
    abstract void start() throws IOException, InvalidRecordException;

    /** The next record's values in schema order, or null at the end. */
    abstract Object[] readRow() throws IOException, InvalidRecordException;

    // ---- input ----

    /** Whether an unconsumed byte is available at {@code buf[pos]}, reading more input if needed. */
    final boolean more() throws IOException {
        if (pos < limit) {
            return true;
        }
        if (eof) {
            return false;
        }
        base += limit;
        pos = 0;
        limit = 0;
        int n = in.read(buf, 0, buf.length);
        while (n == 0) {
            n = in.read(buf, 0, buf.length);
        }
        if (n < 0) {
            eof = true;
            return false;
        }
        limit = n;
        progress.accept(base + limit);
        return true;
    }

    private void skipByteOrderMark() throws IOException {
        while (limit < 3 && !eof) {
            int n = in.read(buf, limit, buf.length - limit);
            if (n < 0) {
                eof = true;
            } else {
                limit += n;
            }
        }
        if (limit > 0) {
            progress.accept(limit);
        }
        if (limit >= 3 && (buf[0] & 0xff) == 0xEF && (buf[1] & 0xff) == 0xBB && (buf[2] & 0xff) == 0xBF) {
            pos = 3;
        }
    }

    /** Appends to the record, refusing records over {@link #MAX_RECORD_BYTES}. */
    final void append(byte[] src, int off, int len) throws InvalidRecordException {
        if (recLen + len > rec.length) {
            if (recLen + len > MAX_RECORD_BYTES) {
                throw invalid(Reason.RECORD_TOO_LONG, null, "a record longer than " + MAX_RECORD_BYTES
                        + " bytes (is a quote never closed?)");
            }
            rec = Arrays.copyOf(rec, Math.min(MAX_RECORD_BYTES, Math.max(rec.length * 2, recLen + len)));
        }
        System.arraycopy(src, off, rec, recLen, len);
        recLen += len;
    }

    final void append(byte b) throws InvalidRecordException {
        if (recLen == rec.length) {
            if (recLen + 1 > MAX_RECORD_BYTES) {
                throw invalid(Reason.RECORD_TOO_LONG, null, "a record longer than " + MAX_RECORD_BYTES
                        + " bytes (is a quote never closed?)");
            }
            rec = Arrays.copyOf(rec, Math.min(MAX_RECORD_BYTES, rec.length * 2));
        }
        rec[recLen++] = b;
    }

    // ---- values ----

    /** An error in the current record; {@code column} is a schema column name or null. */
    final InvalidRecordException invalid(Reason reason, String column, String detail) {
        return new InvalidRecordException(reason, recordLine, column, detail);
    }

    /** A text value: at most {@link Schema#MAX_TEXT_BYTES} bytes of valid UTF-8. */
    final String text(int c, byte[] b, int off, int len) throws InvalidRecordException {
        if (len > Schema.MAX_TEXT_BYTES) {
            throw invalid(Reason.TEXT_TOO_LONG, cols[c].name(), "text longer than " + Schema.MAX_TEXT_BYTES + " UTF-8 bytes");
        }
        TextCache cache = textCaches[c];
        if (cache != null && len <= TextCache.MAX_LENGTH) {
            String hit = cache.get(b, off, len);
            if (hit != null) {
                return hit;
            }
        }
        if (!Utf8.valid(b, off, len)) {
            throw invalid(Reason.NOT_UTF8, cols[c].name(), "the bytes are not valid UTF-8");
        }
        String value = new String(b, off, len, StandardCharsets.UTF_8);
        if (cache != null && len <= TextCache.MAX_LENGTH && !cache.put(b, off, len, value)) {
            textCaches[c] = null; // the column's values rarely repeat: caching them only costs
        }
        return value;
    }

    /**
     * Recently seen short values of one text column (categories such as an age band or a region repeat on most rows):
     * a repeated value is neither validated nor allocated again. Direct-mapped on a hash of the bytes; an entry holds
     * only validated bytes, so a hit is valid UTF-8.
     */
    private static final class TextCache {
        static final int MAX_LENGTH = 48;
        private static final int SIZE = 256;
        /** After this many lookups, a cache hitting less than half the time is dropped. */
        private static final int TRIAL = 4096;
        private final byte[][] keys = new byte[SIZE][];
        private final String[] values = new String[SIZE];
        private int lookups;
        private int hits;

        String get(byte[] b, int off, int len) {
            lookups++;
            int slot = slot(b, off, len);
            byte[] k = keys[slot];
            if (k != null && Arrays.equals(k, 0, k.length, b, off, off + len)) {
                hits++;
                return values[slot];
            }
            return null;
        }

        /** Remembers a validated value; false when the cache should be dropped. */
        boolean put(byte[] b, int off, int len, String value) {
            int slot = slot(b, off, len);
            keys[slot] = Arrays.copyOfRange(b, off, off + len);
            values[slot] = value;
            return lookups < TRIAL || hits * 2 >= lookups;
        }

        private static int slot(byte[] b, int off, int len) {
            int h = len;
            for (int i = off; i < off + len; i++) {
                h = 31 * h + b[i];
            }
            return (h ^ h >>> 8) & (SIZE - 1);
        }
    }

    /**
     * A number for numeric column {@code c}: {@code [+-](digits[.digits?]|.digits)([eE][+-]digits)?}, no spaces. A
     * {@link Long} for an int column (a whole number that fits 64 bits), a finite {@link Double} for a real column.
     */
    final Object number(int c, byte[] b, int off, int len) throws InvalidRecordException {
        String column = cols[c].name();
        if (len > MAX_NUMBER_CHARS) {
            throw invalid(Reason.NOT_A_NUMBER, column, "a number longer than " + MAX_NUMBER_CHARS + " characters");
        }
        int end = off + len;
        int i = off;
        boolean negative = false;
        if (i < end && (b[i] == '+' || b[i] == '-')) {
            negative = b[i] == '-';
            i++;
        }
        int intStart = i;
        while (i < end && isDigit(b[i])) {
            i++;
        }
        int intDigits = i - intStart;
        int fracStart = i;
        int fracDigits = 0;
        boolean dot = i < end && b[i] == '.';
        if (dot) {
            i++;
            fracStart = i;
            while (i < end && isDigit(b[i])) {
                i++;
            }
            fracDigits = i - fracStart;
        }
        boolean exponent = false;
        boolean negativeExponent = false;
        int exponentValue = 0; // saturates: only small values matter below
        boolean wellFormed = intDigits + fracDigits > 0;
        if (wellFormed && i < end && (b[i] == 'e' || b[i] == 'E')) {
            exponent = true;
            i++;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                negativeExponent = b[i] == '-';
                i++;
            }
            int expStart = i;
            while (i < end && isDigit(b[i])) {
                exponentValue = Math.min(100_000, exponentValue * 10 + (b[i] - '0'));
                i++;
            }
            wellFormed = i > expStart;
        }
        if (!wellFormed || i != end) {
            if (nonFiniteWord(b, off, len)) {
                throw invalid(Reason.NOT_FINITE, column, "NaN and infinities are not allowed");
            }
            throw invalid(Reason.NOT_A_NUMBER, column, "not a number (the column is " + cols[c].type().word() + ")");
        }
        if (cols[c].type() == ColumnType.INT) {
            if (!dot && !exponent && intDigits <= 18) {
                long v = 0;
                for (int k = intStart; k < intStart + intDigits; k++) {
                    v = v * 10 + (b[k] - '0');
                }
                return negative ? -v : v;
            }
            return integer(column, b, off, len, intStart, intDigits, fracStart, fracDigits, negativeExponent);
        }
        int power = (negativeExponent ? -exponentValue : exponentValue) - fracDigits;
        if (intDigits + fracDigits <= 15 && power >= -22 && power <= 22) {
            // Clinger's fast path: the digits (< 10^15 < 2^53) and 10^|power| are exact doubles, so one IEEE
            // multiplication or division is the correctly rounded value, bit for bit what Double.parseDouble returns.
            long m = 0;
            for (int k = intStart; k < intStart + intDigits; k++) {
                m = m * 10 + (b[k] - '0');
            }
            for (int k = fracStart; k < fracStart + fracDigits; k++) {
                m = m * 10 + (b[k] - '0');
            }
            double d = power < 0 ? m / POW10[-power] : m * POW10[power];
            return negative ? -d : d;
        }
        double d = Double.parseDouble(new String(b, off, len, StandardCharsets.US_ASCII));
        if (Double.isInfinite(d)) {
            throw invalid(Reason.OUT_OF_RANGE, column, "beyond the range of a 64-bit float");
        }
        return d;
    }

    /** The slow path of an int value: many digits, a fraction or an exponent. The number is well-formed. */
    private Long integer(String column, byte[] b, int off, int len, int intStart, int intDigits, int fracStart, int fracDigits,
                         boolean negativeExponent) throws InvalidRecordException {
        if (allZero(b, intStart, intDigits) && allZero(b, fracStart, fracDigits)) {
            return 0L; // also 0e999999999999, which BigDecimal cannot represent
        }
        BigDecimal v;
        try {
            v = new BigDecimal(new String(b, off, len, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) { // only an exponent beyond an int; the message would quote the value
            throw negativeExponent ? invalid(Reason.NOT_AN_INTEGER, column, "not a whole number (the column is int)")
                    : invalid(Reason.OUT_OF_RANGE, column, "outside the range of a 64-bit integer");
        }
        if (v.precision() - v.scale() > 19) {
            throw invalid(Reason.OUT_OF_RANGE, column, "outside the range of a 64-bit integer");
        }
        if (v.stripTrailingZeros().scale() > 0) {
            throw invalid(Reason.NOT_AN_INTEGER, column, "not a whole number (the column is int)");
        }
        try {
            return v.longValueExact();
        } catch (ArithmeticException e) {
            throw invalid(Reason.OUT_OF_RANGE, column, "outside the range of a 64-bit integer");
        }
    }

    private static boolean allZero(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] != '0') {
                return false;
            }
        }
        return true;
    }

    static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** NaN, inf or infinity in any case, with an optional sign. */
    private static boolean nonFiniteWord(byte[] b, int off, int len) {
        if (len > 0 && (b[off] == '+' || b[off] == '-')) {
            off++;
            len--;
        }
        if (len != 3 && len != 8) {
            return false;
        }
        String w = new String(b, off, len, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        return w.equals("nan") || w.equals("inf") || w.equals("infinity");
    }

    /**
     * A hint for a name that is not a column: the column it equals ignoring case and surrounding spaces, if any. Only
     * the schema's own name is ever shown.
     */
    final String hint(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        for (Column c : cols) {
            if (c.name().equals(n)) {
                return " (it differs from column " + c.name() + " only in case or spaces)";
            }
        }
        return "";
    }

    /** The schema's column names, for messages. */
    final String columnList() {
        StringBuilder sb = new StringBuilder();
        for (Column c : cols) {
            sb.append(sb.isEmpty() ? "" : ", ").append(c.name());
        }
        return sb.toString();
    }
}
