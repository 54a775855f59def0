package cloister.market.data;

import cloister.market.data.InvalidRecordException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;

/**
 * CSV (RFC 4180) records. Works on bytes: the delimiters are ASCII, which never occurs inside a multi-byte UTF-8
 * sequence, so a field's bytes are found without decoding and only text values and header names are decoded.
 */
final class CsvRecordParser extends RecordParser {
    /** Field {@code i} of the current record is {@code rec[start[i], end[i])}; {@code quoted[i]} if it was quoted. */
    private int[] start;
    private int[] end;
    private boolean[] quoted;
    private int fields;
    /** The most fields a record may have before it is refused (the header's count, or the schema's for the header). */
    private int maxFields;
    /** Header field index → schema column index. */
    private int[] columnOf;

    CsvRecordParser(Schema schema, InputStream in, LongConsumer progress) {
        super(schema, in, progress);
        int n = cols.length + 1;
        start = new int[n];
        end = new int[n];
        quoted = new boolean[n];
        maxFields = cols.length;
    }

    @Override
    void start() throws IOException, InvalidRecordException {
        if (!readRecord(true)) {
            throw new InvalidRecordException(Reason.EMPTY_INPUT, 0, null,
                    "the file is empty: a CSV file starts with a header row naming the columns (" + columnList() + ")");
        }
        columnOf = new int[fields];
        boolean[] seen = new boolean[cols.length];
        for (int i = 0; i < fields; i++) {
            int len = end[i] - start[i];
            if (!Utf8.valid(rec, start[i], len)) {
                throw invalid(Reason.NOT_UTF8, null, "header field " + (i + 1) + ": the bytes are not valid UTF-8");
            }
            String name = new String(rec, start[i], len, StandardCharsets.UTF_8);
            int c = schema.indexOf(name);
            if (c < 0) {
                throw invalid(Reason.UNKNOWN_COLUMN, null, "header field " + (i + 1) + " is not a column of the schema" + hint(name)
                        + "; a CSV file starts with a header row naming the columns: " + columnList());
            }
            if (seen[c]) {
                throw invalid(Reason.DUPLICATE_COLUMN, cols[c].name(), "the header names this column twice");
            }
            seen[c] = true;
            columnOf[i] = c;
        }
        for (int c = 0; c < cols.length; c++) {
            if (!seen[c]) {
                throw invalid(Reason.MISSING_COLUMN, cols[c].name(), "the header does not name this column");
            }
        }
    }

    @Override
    Object[] readRow() throws IOException, InvalidRecordException {
        if (!readRecord(false)) {
            return null;
        }
        if (fields != columnOf.length) {
            throw invalid(Reason.COLUMN_COUNT, null, fields + " fields where the header has " + columnOf.length);
        }
        Object[] row = new Object[cols.length];
        for (int i = 0; i < fields; i++) {
            int c = columnOf[i];
            int s = start[i];
            int e = end[i];
            if (cols[c].type() == ColumnType.TEXT) {
                row[c] = e == s && !quoted[i] ? null : text(c, rec, s, e - s);
                continue;
            }
            while (s < e && (rec[s] == ' ' || rec[s] == '\t')) {
                s++;
            }
            while (e > s && (rec[e - 1] == ' ' || rec[e - 1] == '\t')) {
                e--;
            }
            row[c] = e == s ? null : number(c, rec, s, e - s);
        }
        return row;
    }

    /**
     * Reads one record into {@link #rec} and the field arrays, skipping empty lines before it; false at the end of
     * the input.
     */
    private boolean readRecord(boolean header) throws IOException, InvalidRecordException {
        while (true) {
            if (!more()) {
                return false;
            }
            byte b = buf[pos];
            if (b == '\n') {
                pos++;
                line++;
            } else if (b == '\r') {
                pos++;
                if (more() && buf[pos] == '\n') {
                    pos++;
                }
                line++;
            } else {
                break;
            }
        }
        recordLine = line;
        recLen = 0;
        fields = 0;
        while (true) {
            int fieldStart = recLen;
            long fieldLine = line;
            boolean q = more() && buf[pos] == '"';
            if (q) {
                pos++;
                readQuoted(fieldLine);
            } else {
                readUnquoted();
            }
            if (fields == maxFields) {
                throw header
                        ? invalid(Reason.COLUMN_COUNT, null, "the header has more fields than the schema's " + cols.length + " columns ("
                        + columnList() + ")")
                        : invalid(Reason.COLUMN_COUNT, null, "more than " + maxFields + " fields where the header has " + maxFields);
            }
            start[fields] = fieldStart;
            end[fields] = recLen;
            quoted[fields] = q;
            fields++;
            if (!more()) {
                break;
            }
            byte b = buf[pos];
            if (b == ',') {
                pos++;
                continue;
            }
            if (b == '\n') {
                pos++;
                line++;
                break;
            }
            if (b == '\r') {
                pos++;
                if (more() && buf[pos] == '\n') {
                    pos++;
                }
                line++;
                break;
            }
            // A quote: readUnquoted stops at one; readQuoted returns only after a closing quote.
            throw q ? invalid(Reason.MALFORMED_CSV, null, "text after the closing quote of field " + fields
                    + " (inside a quoted field, write a quote as two quotes)")
                    : invalid(Reason.MALFORMED_CSV, null, "a quote inside unquoted field " + fields
                    + " (quote the whole field, and write a quote inside it as two quotes)");
        }
        if (header) {
            maxFields = fields;
        }
        return true;
    }

    private void readUnquoted() throws IOException, InvalidRecordException {
        while (more()) {
            int p = pos;
            int lim = limit;
            byte[] b = buf;
            while (p < lim) {
                byte x = b[p];
                if (x == ',' || x == '\n' || x == '\r' || x == '"') {
                    break;
                }
                p++;
            }
            append(b, pos, p - pos);
            pos = p;
            if (p < lim) {
                return;
            }
        }
    }

    /** Reads a quoted field's contents after its opening quote, up to and including the closing quote. */
    private void readQuoted(long fieldLine) throws IOException, InvalidRecordException {
        while (true) {
            if (!more()) {
                throw new InvalidRecordException(Reason.MALFORMED_CSV, fieldLine, null,
                        "a quoted field starts on this line and is never closed");
            }
            int p = pos;
            int lim = limit;
            byte[] b = buf;
            while (p < lim) {
                byte x = b[p];
                if (x == '"' || x == '\n' || x == '\r') {
                    break;
                }
                p++;
            }
            append(b, pos, p - pos);
            pos = p;
            if (p == lim) {
                continue;
            }
            byte x = b[pos++];
            if (x == '"') {
                if (more() && buf[pos] == '"') {
                    append((byte) '"');
                    pos++;
                    continue;
                }
                return;
            }
            append(x);
            if (x == '\n') {
                line++;
            } else if (!(more() && buf[pos] == '\n')) {
                line++; // a bare CR; the LF of a CRLF counts the line itself
            }
        }
    }
}
