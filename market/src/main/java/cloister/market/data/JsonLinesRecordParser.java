package cloister.market.data;

import cloister.market.data.InvalidRecordException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * JSON Lines: one flat JSON object per line, read with a small strict reader (RFC 8259 grammar; only strings, numbers,
 * booleans and null as values). A JSON string cannot hold a raw line break, so a record is exactly one line.
 */
final class JsonLinesRecordParser extends RecordParser {
    private final byte[][] names;
    private final boolean[] seen;
    /** An unescaped string: {@code str[0, strLen)}. */
    private byte[] str = new byte[512];
    private int strLen;
    /** Read position in {@link #rec}. */
    private int at;

    JsonLinesRecordParser(Schema schema, InputStream in, LongConsumer progress) {
        super(schema, in, progress);
        names = new byte[cols.length][];
        for (int c = 0; c < cols.length; c++) {
            names[c] = cols[c].name().getBytes(StandardCharsets.US_ASCII);
        }
        seen = new boolean[cols.length];
    }

    @Override
    void start() {
        // no header
    }

    @Override
    Object[] readRow() throws IOException, InvalidRecordException {
        while (true) {
            if (!readLine()) {
                return null;
            }
            at = 0;
            skipSpace();
            if (at < recLen) {
                break; // not a blank line
            }
        }
        if (!Utf8.valid(rec, 0, recLen)) {
            throw invalid(Reason.NOT_UTF8, null, "the bytes are not valid UTF-8");
        }
        return object();
    }

    /** Reads the next line (without its LF, or a CRLF's CR) into {@link #rec}; false at the end of the input. */
    private boolean readLine() throws IOException, InvalidRecordException {
        recordLine = line;
        recLen = 0;
        if (!more()) {
            return false;
        }
        while (more()) {
            int p = pos;
            int lim = limit;
            while (p < lim && buf[p] != '\n') {
                p++;
            }
            append(buf, pos, p - pos);
            pos = p;
            if (p < lim) {
                pos++;
                break;
            }
        }
        line++;
        if (recLen > 0 && rec[recLen - 1] == '\r') {
            recLen--;
        }
        return true;
    }

    private Object[] object() throws InvalidRecordException {
        Object[] row = new Object[cols.length];
        Arrays.fill(seen, false);
        if (rec[at] != '{') {
            throw malformed("each line must be one JSON object {...}");
        }
        at++;
        skipSpace();
        if (peek() == '}') {
            at++;
        } else {
            for (int key = 1; ; key++) {
                if (peek() != '"') {
                    throw malformed("expected a key in quotes");
                }
                at++;
                string();
                int c = column();
                if (c < 0) {
                    throw invalid(Reason.UNKNOWN_COLUMN, null, "key " + key + " of the object is not a column of the schema"
                            + hint(new String(str, 0, strLen, StandardCharsets.UTF_8)) + "; the columns are: " + columnList());
                }
                if (seen[c]) {
                    throw invalid(Reason.DUPLICATE_COLUMN, cols[c].name(), "the object has this key twice");
                }
                seen[c] = true;
                skipSpace();
                if (peek() != ':') {
                    throw malformed("expected ':' after a key");
                }
                at++;
                skipSpace();
                row[c] = value(c);
                skipSpace();
                int b = peek();
                at++;
                if (b == '}') {
                    break;
                }
                if (b != ',') {
                    throw malformed("expected ',' or '}' after a value");
                }
                skipSpace();
            }
        }
        skipSpace();
        if (at != recLen) {
            throw malformed("text after the object (one object per line)");
        }
        return row;
    }

    private int column() {
        for (int c = 0; c < names.length; c++) {
            if (Arrays.equals(names[c], 0, names[c].length, str, 0, strLen)) {
                return c;
            }
        }
        return -1;
    }

    private Object value(int c) throws InvalidRecordException {
        ColumnType type = cols[c].type();
        String column = cols[c].name();
        int b = peek();
        if (b == '"') {
            at++;
            string();
            if (type != ColumnType.TEXT) {
                throw invalid(Reason.WRONG_TYPE, column, "a string where a number is expected (write numbers without quotes)");
            }
            return text(c, str, 0, strLen);
        }
        if (b == '-' || b >= '0' && b <= '9') {
            int s = at;
            if (b == '-') {
                at++;
            }
            if (literal("Infinity")) {
                throw invalid(Reason.NOT_FINITE, column, "NaN and infinities are not allowed");
            }
            boolean ok = jsonNumber();
            while (at < recLen && !delimiter(rec[at])) {
                at++; // the rest of a malformed number, so the error names it as a whole
                ok = false;
            }
            if (!ok) {
                throw invalid(Reason.NOT_A_NUMBER, column, "not a JSON number (no leading zeros, '+' or bare '.')");
            }
            if (type == ColumnType.TEXT) {
                throw invalid(Reason.WRONG_TYPE, column, "a number where text is expected (put text in quotes)");
            }
            return number(c, rec, s, at - s);
        }
        boolean isTrue = literal("true");
        if (isTrue || literal("false")) {
            if (type != ColumnType.INT) {
                throw invalid(Reason.WRONG_TYPE, column, "a boolean where " + (type == ColumnType.TEXT ? "text" : "a number")
                        + " is expected (booleans fit int columns, as 1 and 0)");
            }
            return isTrue ? 1L : 0L;
        }
        if (literal("null")) {
            return null;
        }
        if (literal("NaN") || literal("Infinity")) {
            throw invalid(Reason.NOT_FINITE, column, "NaN and infinities are not allowed");
        }
        if (b == '{' || b == '[') {
            throw invalid(Reason.WRONG_TYPE, column, "a nested object or array (records are flat)");
        }
        throw malformed("expected a value (a string, number, true, false or null)");
    }

    /** Consumes {@code word} if it is next; the caller then checks what follows. */
    private boolean literal(String word) {
        int n = word.length();
        if (recLen - at < n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (rec[at + i] != word.charAt(i)) {
                return false;
            }
        }
        at += n;
        return true;
    }

    /** Consumes a JSON number (after an optional '-'): {@code (0|[1-9]digits)(.digits)?([eE][+-]?digits)?}. */
    private boolean jsonNumber() {
        if (at >= recLen || !isDigit(rec[at])) {
            return false;
        }
        if (rec[at] == '0') {
            at++;
        } else {
            while (at < recLen && isDigit(rec[at])) {
                at++;
            }
        }
        if (at < recLen && rec[at] == '.') {
            at++;
            if (!digits()) {
                return false;
            }
        }
        if (at < recLen && (rec[at] == 'e' || rec[at] == 'E')) {
            at++;
            if (at < recLen && (rec[at] == '+' || rec[at] == '-')) {
                at++;
            }
            return digits();
        }
        return true;
    }

    private boolean digits() {
        int s = at;
        while (at < recLen && isDigit(rec[at])) {
            at++;
        }
        return at > s;
    }

    private static boolean delimiter(byte b) {
        return b == ',' || b == '}' || b == ']' || b == ' ' || b == '\t' || b == '\r';
    }

    /** Reads a string's contents after its opening quote into {@link #str}, unescaped; consumes the closing quote. */
    private void string() throws InvalidRecordException {
        strLen = 0;
        while (true) {
            if (at >= recLen) {
                throw malformed("a string is never closed");
            }
            byte b = rec[at++];
            if (b == '"') {
                return;
            }
            if (b >= 0 && b < 0x20) {
                throw malformed("a control character inside a string (escape it, e.g. \\n)");
            }
            if (b != '\\') {
                put(b);
                continue;
            }
            if (at >= recLen) {
                throw malformed("a string is never closed");
            }
            byte e = rec[at++];
            switch (e) {
                case '"', '\\', '/' -> put(e);
                case 'b' -> put((byte) '\b');
                case 'f' -> put((byte) '\f');
                case 'n' -> put((byte) '\n');
                case 'r' -> put((byte) '\r');
                case 't' -> put((byte) '\t');
                case 'u' -> {
                    int cp = hex4();
                    if (Character.isHighSurrogate((char) cp)) {
                        if (!(at + 1 < recLen && rec[at] == '\\' && rec[at + 1] == 'u')) {
                            throw malformed("an unpaired surrogate escape in a string");
                        }
                        at += 2;
                        int low = hex4();
                        if (!Character.isLowSurrogate((char) low)) {
                            throw malformed("an unpaired surrogate escape in a string");
                        }
                        cp = Character.toCodePoint((char) cp, (char) low);
                    } else if (Character.isLowSurrogate((char) cp)) {
                        throw malformed("an unpaired surrogate escape in a string");
                    }
                    putCodePoint(cp);
                }
                default -> throw malformed("an unknown escape in a string");
            }
        }
    }

    private int hex4() throws InvalidRecordException {
        if (recLen - at < 4) {
            throw malformed("a \\u escape needs four hex digits");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(rec[at++], 16);
            if (d < 0) {
                throw malformed("a \\u escape needs four hex digits");
            }
            v = v << 4 | d;
        }
        return v;
    }

    private void putCodePoint(int cp) {
        if (cp < 0x80) {
            put((byte) cp);
        } else if (cp < 0x800) {
            put((byte) (0xC0 | cp >> 6));
            put((byte) (0x80 | cp & 0x3F));
        } else if (cp < 0x10000) {
            put((byte) (0xE0 | cp >> 12));
            put((byte) (0x80 | cp >> 6 & 0x3F));
            put((byte) (0x80 | cp & 0x3F));
        } else {
            put((byte) (0xF0 | cp >> 18));
            put((byte) (0x80 | cp >> 12 & 0x3F));
            put((byte) (0x80 | cp >> 6 & 0x3F));
            put((byte) (0x80 | cp & 0x3F));
        }
    }

    private void put(byte b) {
        if (strLen == str.length) {
            str = Arrays.copyOf(str, str.length * 2); // bounded: a string is shorter than its line
        }
        str[strLen++] = b;
    }

    private int peek() {
        return at < recLen ? rec[at] : -1;
    }

    private void skipSpace() {
        while (at < recLen && (rec[at] == ' ' || rec[at] == '\t' || rec[at] == '\r')) {
            at++;
        }
    }

    private InvalidRecordException malformed(String detail) {
        return invalid(Reason.MALFORMED_JSON, null, "malformed JSON at byte " + (at + 1) + " of the line: " + detail);
    }
}
