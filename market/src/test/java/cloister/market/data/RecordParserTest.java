package cloister.market.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.market.data.InvalidRecordException.Reason;
import cloister.market.data.RecordParser.Format;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RecordParserTest {
    private static final Schema SCHEMA = Schema.parse("band:text,income:real[0,1000],age:int[0,120]");
    private static final String H = "band,income,age\n";
    /** Planted in bad values: an error message must never contain it. */
    private static final String P = "PLANT7x";
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    /** One row of the matrix: either the rows expected, or the error (reason, line, column) and a planted string. */
    record Case(String name, Format format, byte[] input, List<Object[]> rows, Reason reason, long line, String column, String planted) {
        @Override
        public String toString() {
            return format + ": " + name;
        }
    }

    private static Case ok(String name, Format f, String input, Object[]... rows) {
        return ok(name, f, input.getBytes(StandardCharsets.UTF_8), rows);
    }

    private static Case ok(String name, Format f, byte[] input, Object[]... rows) {
        return new Case(name, f, input, List.of(rows), null, 0, null, null);
    }

    private static Case bad(String name, Format f, String input, Reason reason, long line, String column, String planted) {
        return bad(name, f, input.getBytes(StandardCharsets.UTF_8), reason, line, column, planted);
    }

    private static Case bad(String name, Format f, byte[] input, Reason reason, long line, String column, String planted) {
        return new Case(name, f, input, null, reason, line, column, planted);
    }

    private static Object[] r(Object... values) {
        return values;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<Case> matrix() {
        Format C = Format.CSV;
        Format J = Format.JSONL;
        String e128 = "é".repeat(128);
        String long300 = P + "a".repeat(300);
        byte[] badUtf8 = {(byte) 0xC3, (byte) 0x28};
        return Stream.of(
                // ---- CSV, accepted ----
                ok("basic", C, H + "low,12.5,30\nhigh,999,64\n", r("low", 12.5, 30L), r("high", 999.0, 64L)),
                ok("header in another order", C, "age,band,income\n30,low,12.5\n", r("low", 12.5, 30L)),
                ok("quoted header names", C, "\"band\",\"income\",\"age\"\nlow,1,2\n", r("low", 1.0, 2L)),
                ok("quoted field with a comma", C, H + "\"a, b\",1,2\n", r("a, b", 1.0, 2L)),
                ok("doubled quotes", C, H + "\"say \"\"hi\"\"\",1,2\n", r("say \"hi\"", 1.0, 2L)),
                ok("line break inside quotes", C, H + "\"two\nlines\",1,2\nx,3,4\n", r("two\nlines", 1.0, 2L), r("x", 3.0, 4L)),
                ok("CRLF inside quotes is kept", C, "band,income,age\r\n\"a\r\nb\",1,2\r\n", r("a\r\nb", 1.0, 2L)),
                ok("CRLF line endings", C, "band,income,age\r\nlow,1,2\r\nhigh,3,4\r\n", r("low", 1.0, 2L), r("high", 3.0, 4L)),
                ok("CR line endings", C, "band,income,age\rlow,1,2\rhigh,3,4", r("low", 1.0, 2L), r("high", 3.0, 4L)),
                ok("byte-order mark", C, concat(BOM, utf8(H + "low,1,2\n")), r("low", 1.0, 2L)),
                ok("empty lines at the end", C, H + "low,1,2\n\n\n\r\n", r("low", 1.0, 2L)),
                ok("no final line break", C, H + "low,1,2", r("low", 1.0, 2L)),
                ok("empty lines in the middle", C, H + "\nlow,1,2\n\r\nhigh,3,4\n", r("low", 1.0, 2L), r("high", 3.0, 4L)),
                ok("empty fields are null", C, H + ",,\n", r(null, null, null)),
                ok("quoted empty: empty text, null number", C, H + "\"\",\"\",\"\"\n", r("", null, null)),
                ok("spaces around numbers ignored, around text kept", C, H + " low , 12.5 ,\t30\t\n", r(" low ", 12.5, 30L)),
                ok("number forms", C, H + "x,+5,+7\nx,5.,-0\nx,.5,42.0\nx,1e3,1E2\nx,-2.5e-3,007\n",
                        r("x", 5.0, 7L), r("x", 5.0, 0L), r("x", 0.5, 42L), r("x", 1000.0, 100L), r("x", -0.0025, 7L)),
                ok("64-bit extremes", C, H + "x,1.7976931348623157e308,9223372036854775807\nx,4.9e-324,-9223372036854775808\n",
                        r("x", Double.MAX_VALUE, Long.MAX_VALUE), r("x", Double.MIN_VALUE, Long.MIN_VALUE)),
                ok("multi-byte text of exactly 256 bytes", C, H + e128 + ",1,2\n", r(e128, 1.0, 2L)),
                ok("header only", C, H),
                ok("quoted numbers", C, H + "x,\"1.5\",\" 2 \"\n", r("x", 1.5, 2L)),
                // ---- CSV, refused ----
                bad("empty input", C, "", Reason.EMPTY_INPUT, 0, null, null),
                bad("only empty lines", C, concat(BOM, utf8("\n\r\n")), Reason.EMPTY_INPUT, 0, null, null),
                bad("not a number (int)", C, H + "low,1," + P + "\n", Reason.NOT_A_NUMBER, 2, "age", P),
                bad("not a number (real)", C, H + "low,12" + P + ",3\n", Reason.NOT_A_NUMBER, 2, "income", P),
                bad("not a number (full-width digits)", C, H + "low,１２,3\n", Reason.NOT_A_NUMBER, 2, "income", "１２"),
                bad("not an integer", C, H + "low,1,2\nlow,1,12.3456789\n", Reason.NOT_AN_INTEGER, 3, "age", "3456789"),
                bad("int above 64 bits", C, H + "low,1,92233720368547758089\n", Reason.OUT_OF_RANGE, 2, "age", "2233720368547758089"),
                bad("int below 64 bits", C, H + "low,1,-9223372036854775809\n", Reason.OUT_OF_RANGE, 2, "age", "223372036854775809"),
                bad("int with a huge exponent", C, H + "low,1,7e99999999999\n", Reason.OUT_OF_RANGE, 2, "age", "99999999999"),
                bad("NaN", C, H + "low,nAn,3\n", Reason.NOT_FINITE, 2, "income", "nAn"),
                bad("infinity", C, H + "low,+Inf,3\n", Reason.NOT_FINITE, 2, "income", "+Inf"),
                bad("real beyond 64-bit float", C, H + "low,1e4007,3\n", Reason.OUT_OF_RANGE, 2, "income", "1e4007"),
                bad("text over 256 bytes", C, H + long300 + ",1,2\n", Reason.TEXT_TOO_LONG, 2, "band", P),
                bad("multi-byte text of 257 bytes", C, H + e128 + "a,1,2\n", Reason.TEXT_TOO_LONG, 2, "band", e128),
                bad("too few fields", C, H + P + ",1\n", Reason.COLUMN_COUNT, 2, null, P),
                bad("too many fields", C, H + P + ",1,2,3\n", Reason.COLUMN_COUNT, 2, null, P),
                bad("trailing comma", C, H + "low,1,2,\n", Reason.COLUMN_COUNT, 2, null, null),
                bad("unknown header column", C, "band," + P + ",age\n", Reason.UNKNOWN_COLUMN, 1, null, P),
                bad("no header row", C, "Xylo7,1,2\n", Reason.UNKNOWN_COLUMN, 1, null, "Xylo7"),
                bad("header with too many fields", C, "band,income,age," + P + "\n", Reason.COLUMN_COUNT, 1, null, P),
                bad("missing header column", C, "band,age\nx,1\n", Reason.MISSING_COLUMN, 1, "income", null),
                bad("duplicate header column", C, "band,band,age\n", Reason.DUPLICATE_COLUMN, 1, "band", null),
                bad("quote inside an unquoted field", C, H + P + "\"q,1,2\n", Reason.MALFORMED_CSV, 2, null, P),
                bad("text after a closing quote", C, H + "\"" + P + "\"junk,1,2\n", Reason.MALFORMED_CSV, 2, null, "junk"),
                bad("quote never closed", C, H + "low,1,2\n\"" + P + ",1,2\nmore\n", Reason.MALFORMED_CSV, 3, null, P),
                bad("invalid UTF-8", C, concat(utf8(H), badUtf8, utf8(",1,2\n")), Reason.NOT_UTF8, 2, "band", null),
                bad("line counted across a multi-line field", C, H + "\"a\nb\nc\",1,2\n\nlow," + P + ",2\n", Reason.NOT_A_NUMBER, 6, "income", P),
                bad("record over 1 MiB", C, H + "\"" + "a".repeat(RecordParser.MAX_RECORD_BYTES + 10), Reason.RECORD_TOO_LONG, 2, null, null),
                // ---- JSON Lines, accepted ----
                ok("basic", J, "{\"band\":\"low\",\"income\":12.5,\"age\":30}\n", r("low", 12.5, 30L)),
                ok("keys in any order, missing keys and null", J, "{\"age\":3,\"band\":\"b\"}\n{\"band\":null,\"income\":null,\"age\":null}\n",
                        r("b", null, 3L), r(null, null, null)),
                ok("escapes", J, "{\"band\":\"q\\\"b\\\\s\\/n\\nt\\tu\\u00e9\\ud83d\\ude00\\b\\f\\r\"}", r("q\"b\\s/n\nt\tué😀\b\f\r", null, null)),
                ok("spaces around tokens", J, "  { \"band\" : \"x\" ,\t\"age\" : 1 }  \n", r("x", null, 1L)),
                ok("CRLF, byte-order mark, empty lines", J, concat(BOM, utf8("{\"age\":1}\r\n\r\n{\"age\":2}\r\n\n  \n")), r(null, null, 1L), r(null, null, 2L)),
                ok("booleans in an int column", J, "{\"age\":true}\n{\"age\":false}\n", r(null, null, 1L), r(null, null, 0L)),
                ok("empty object", J, "{}\n", r(null, null, null)),
                ok("number forms", J, "{\"income\":-0.5e2,\"age\":1e2}\n{\"income\":0,\"age\":-0}\n", r(null, -50.0, 100L), r(null, 0.0, 0L)),
                ok("raw UTF-8 text", J, "{\"band\":\"Zürich 東京\"}", r("Zürich 東京", null, null)),
                ok("empty input", J, ""),
                // ---- JSON Lines, refused ----
                bad("unknown key", J, "{\"band\":\"x\",\"" + P + "\":1}\n", Reason.UNKNOWN_COLUMN, 1, null, P),
                bad("duplicate key", J, "{\"age\":1,\"age\":2}\n", Reason.DUPLICATE_COLUMN, 1, "age", null),
                bad("string for a number", J, "{\"income\":\"" + P + "\"}\n", Reason.WRONG_TYPE, 1, "income", P),
                bad("number for text", J, "{\"band\":12345678}\n", Reason.WRONG_TYPE, 1, "band", "12345678"),
                bad("boolean for a real", J, "{\"income\":true}\n", Reason.WRONG_TYPE, 1, "income", null),
                bad("nested object", J, "{\"band\":{\"" + P + "\":1}}\n", Reason.WRONG_TYPE, 1, "band", P),
                bad("array", J, "{\"band\":[\"" + P + "\"]}\n", Reason.WRONG_TYPE, 1, "band", P),
                bad("missing colon", J, "{\"band\" \"" + P + "\"}\n", Reason.MALFORMED_JSON, 1, null, P),
                bad("trailing comma", J, "{\"band\":\"" + P + "\",}\n", Reason.MALFORMED_JSON, 1, null, P),
                bad("string never closed", J, "{\"band\":\"" + P + "\n", Reason.MALFORMED_JSON, 1, null, P),
                bad("not an object", J, "[\"" + P + "\"]\n", Reason.MALFORMED_JSON, 1, null, P),
                bad("text after the object", J, "{\"age\":1} " + P + "\n", Reason.MALFORMED_JSON, 1, null, P),
                bad("unpaired surrogate escape", J, "{\"band\":\"" + P + "\\ud800\"}\n", Reason.MALFORMED_JSON, 1, null, P),
                bad("raw control character", J, "{\"band\":\"" + P + "\u0001\"}\n", Reason.MALFORMED_JSON, 1, null, P),
                bad("unknown escape", J, "{\"band\":\"" + P + "\\x\"}\n", Reason.MALFORMED_JSON, 1, null, P),
                bad("NaN", J, "{\"income\":NaN}\n", Reason.NOT_FINITE, 1, "income", null),
                bad("-Infinity", J, "{\"income\":-Infinity}\n", Reason.NOT_FINITE, 1, "income", null),
                bad("leading zero", J, "{\"age\":0123456}\n", Reason.NOT_A_NUMBER, 1, "age", "0123456"),
                bad("not an integer", J, "{\"age\":1.2345678}\n", Reason.NOT_AN_INTEGER, 1, "age", "2345678"),
                bad("int beyond 64 bits", J, "{\"age\":123456789012345678901}\n", Reason.OUT_OF_RANGE, 1, "age", "123456789012345678901"),
                bad("text over 256 bytes", J, "{\"band\":\"" + long300 + "\"}\n", Reason.TEXT_TOO_LONG, 1, "band", P),
                bad("invalid UTF-8", J, concat(utf8("{\"band\":\""), badUtf8, utf8("\"}\n")), Reason.NOT_UTF8, 1, null, null),
                bad("line counted across empty lines", J, "{\"age\":1}\n\n{\"age\":\"" + P + "\"}\n", Reason.WRONG_TYPE, 3, "age", P));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void matrixCase(Case c) throws Exception {
        if (c.reason() == null) {
            List<Object[]> rows = parse(c.format(), c.input());
            assertEquals(c.rows().size(), rows.size(), "rows");
            for (int i = 0; i < rows.size(); i++) {
                assertArrayEquals(c.rows().get(i), rows.get(i), "row " + i);
            }
            return;
        }
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> parse(c.format(), c.input()));
        String m = e.getMessage();
        assertEquals(c.reason(), e.reason(), m);
        assertEquals(c.line(), e.line(), m);
        assertEquals(Optional.ofNullable(c.column()), e.column(), m);
        if (c.line() > 0) {
            assertTrue(m.startsWith("line " + c.line() + (c.column() == null ? ": " : ", column " + c.column() + ": ")), m);
        }
        if (c.planted() != null) {
            assertFalse(m.contains(c.planted()), "the message quotes the value: " + m);
        }
        assertNull(e.getCause(), "a cause could carry the value");
    }

    @Test
    void theMatrixIsLarge() {
        assertTrue(matrix().count() >= 30);
    }

    private static List<Object[]> parse(Format f, byte[] input) throws IOException, InvalidRecordException {
        List<Object[]> rows = new ArrayList<>();
        RecordParser.parse(SCHEMA, f, new ByteArrayInputStream(input), null, rows::add);
        return rows;
    }

    @Test
    void formatFromFileName() {
        assertEquals(Optional.of(Format.CSV), Format.ofFileName("survey.CSV"));
        assertEquals(Optional.of(Format.JSONL), Format.ofFileName("a/b.jsonl"));
        assertEquals(Optional.of(Format.JSONL), Format.ofFileName("b.ndjson"));
        assertEquals(Optional.of(Format.JSONL), Format.ofFileName("b.json"));
        assertEquals(Optional.empty(), Format.ofFileName("b.xlsx"));
        assertEquals(Optional.empty(), Format.ofFileName("csv"));
    }

    @Test
    void summaryCountsNullsAndOutOfBoundsPerColumnAndKeepsTheValues() throws Exception {
        String csv = H + "a,-1,121\nb,1000.5,120\nc,0,0\n,,\nd,1e9,-5\n";
        List<Object[]> rows = new ArrayList<>();
        RecordParser.Summary s = RecordParser.parse(SCHEMA, Format.CSV, new ByteArrayInputStream(utf8(csv)), null, rows::add);
        assertEquals(5, s.rows());
        assertEquals(utf8(csv).length, s.bytesRead());
        assertEquals(new RecordParser.ColumnSummary("band", 1, 0), s.column("band"));
        assertEquals(new RecordParser.ColumnSummary("income", 1, 3), s.column("income"));
        assertEquals(new RecordParser.ColumnSummary("age", 1, 2), s.column("age"));
        assertEquals(List.of("band", "income", "age"), s.columns().stream().map(RecordParser.ColumnSummary::column).toList());
        assertArrayEquals(r("d", 1e9, -5L), rows.get(4), "values outside the bounds are kept");
    }

    @Test
    void pullApiReadsRowByRowAndStopsAtTheFirstBadRecord() throws Exception {
        String csv = H + "a,1,2\nb,x,3\n";
        RecordParser p = RecordParser.open(SCHEMA, Format.CSV, new ByteArrayInputStream(utf8(csv)), null);
        assertEquals(SCHEMA, p.schema());
        assertArrayEquals(r("a", 1.0, 2L), p.next());
        assertEquals(1, p.summary().rows());
        assertThrows(InvalidRecordException.class, p::next);
    }

    /**
     * A generated stream of about 24 MB, produced as it is read: the parser streams it with its fixed buffers, reports
     * progress in order up to the total, and counts every row.
     */
    @Test
    void streamsALargeInputWithProgress() throws Exception {
        int rows = 400_000;
        InputStream in = new GeneratedCsv(rows);
        long[] last = {-1};
        int[] calls = {0};
        long[] sum = {0};
        RecordParser.Summary s = RecordParser.parse(SCHEMA, Format.CSV, in, n -> {
            assertTrue(n > last[0], "progress goes forward");
            last[0] = n;
            calls[0]++;
        }, row -> sum[0] += (Long) row[2]);
        assertEquals(rows, s.rows());
        assertEquals(s.bytesRead(), last[0]);
        assertTrue(calls[0] > 100, "progress is reported as the file is read");
        assertEquals((long) rows / 121 * (120 * 121 / 2) + sumBelow(rows % 121), sum[0]);
        assertEquals(rows / 7 + (rows % 7 > 0 ? 1 : 0), s.column("band").nulls());
    }

    private static long sumBelow(int n) {
        return (long) n * (n - 1) / 2;
    }

    /** {@code H} then rows {@code "band i" (null every 7th), i/10, i % 121}, generated on the fly. */
    private static final class GeneratedCsv extends InputStream {
        private final int rows;
        private int next;
        private byte[] pending = utf8(H);
        private int at;

        GeneratedCsv(int rows) {
            this.rows = rows;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at == pending.length) {
                if (next == rows) {
                    return -1;
                }
                StringBuilder sb = new StringBuilder();
                for (int k = 0; k < 1000 && next < rows; k++, next++) {
                    sb.append(next % 7 == 0 ? "" : "\"band, " + next + "\"").append(',').append(next / 10.0).append(',')
                            .append(next % 121).append('\n');
                }
                pending = utf8(sb.toString());
                at = 0;
            }
            int n = Math.min(len, pending.length - at);
            System.arraycopy(pending, at, b, off, n);
            at += n;
            return n;
        }
    }

    @Test
    void oneByteReadsGiveTheSameResult() throws Exception {
        byte[] csv = concat(BOM, utf8("band,income,age\r\n\"a\r\n\"\"b\",1,2\r\nc,3,4\r"));
        List<Object[]> rows = new ArrayList<>();
        RecordParser.parse(SCHEMA, Format.CSV, new TrickleStream(csv), null, rows::add);
        assertEquals(2, rows.size());
        assertArrayEquals(r("a\r\n\"b", 1.0, 2L), rows.get(0));
        assertArrayEquals(r("c", 3.0, 4L), rows.get(1));
        byte[] jsonl = concat(BOM, utf8("{\"band\":\"x\\u00e9\"}\r\n{\"age\":7}"));
        rows.clear();
        RecordParser.parse(SCHEMA, Format.JSONL, new TrickleStream(jsonl), null, rows::add);
        assertArrayEquals(r("xé", null, null), rows.get(0));
        assertArrayEquals(r(null, null, 7L), rows.get(1));
    }

    /** Hands out one byte per read, to cross every buffer boundary. */
    private static final class TrickleStream extends InputStream {
        private final byte[] data;
        private int at;

        TrickleStream(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() {
            return at < data.length ? data[at++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at == data.length) {
                return -1;
            }
            b[off] = data[at++];
            return 1;
        }
    }

    /** The fast path for short decimals gives exactly Double.parseDouble's value, bit for bit. */
    @Test
    void realsAreParsedExactlyAsTheJdkDoes() throws Exception {
        java.util.Random rnd = new java.util.Random(42);
        StringBuilder csv = new StringBuilder("income\n");
        List<String> texts = new ArrayList<>();
        String[] fixed = {"0", "-0", "-0.0", "0.1", "0.3", "1e22", "1e23", "9007199254740993", "123456789012345", "1234567890123456",
            "0.000000000000000000001", "4.35", "2.675", "1.7976931348623157e308", "5e-324", "1e-22", "123e-22", "999999999999999e22"};
        texts.addAll(List.of(fixed));
        for (int i = 0; i < 20_000; i++) {
            StringBuilder t = new StringBuilder(rnd.nextBoolean() ? "" : "-");
            int intDigits = rnd.nextInt(10);
            int fracDigits = rnd.nextInt(10);
            for (int k = 0; k < intDigits; k++) {
                t.append((char) ('0' + rnd.nextInt(10)));
            }
            if (fracDigits > 0 || intDigits == 0) {
                t.append('.');
                for (int k = 0; k < Math.max(1, fracDigits); k++) {
                    t.append((char) ('0' + rnd.nextInt(10)));
                }
            }
            if (rnd.nextInt(4) == 0) {
                t.append('e').append(rnd.nextInt(60) - 30);
            }
            texts.add(t.toString());
        }
        for (String t : texts) {
            csv.append(t).append('\n');
        }
        List<Object[]> rows = new ArrayList<>();
        RecordParser.parse(Schema.parse("income:real[0,1]"), Format.CSV, new ByteArrayInputStream(utf8(csv.toString())), null, rows::add);
        for (int i = 0; i < texts.size(); i++) {
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(texts.get(i))), Double.doubleToRawLongBits((Double) rows.get(i)[0]), texts.get(i));
        }
    }

    /** Repeated short values come from a cache; a column of unique values drops it; both give exactly the values. */
    @Test
    void repeatedAndUniqueTextValuesAreReadExactly() throws Exception {
        Schema schema = Schema.parse("band:text,region:text");
        StringBuilder csv = new StringBuilder("band,region\n");
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            csv.append("b").append(i % 7).append(i % 3 == 0 ? "é" : "").append(",r").append(i).append('\n');
        }
        List<Object[]> rows = new ArrayList<>();
        RecordParser.parse(schema, Format.CSV, new ByteArrayInputStream(utf8(csv.toString())), null, rows::add);
        for (int i = 0; i < n; i++) {
            assertArrayEquals(r("b" + i % 7 + (i % 3 == 0 ? "é" : ""), "r" + i), rows.get(i), "row " + i);
        }
        byte[] bad = concat(utf8(csv.toString()), utf8("b1"), new byte[] {(byte) 0xC3}, utf8(",r\n"));
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> RecordParser.parse(schema, Format.CSV, new ByteArrayInputStream(bad), null, row -> { }));
        assertEquals(Reason.NOT_UTF8, e.reason());
        assertEquals(n + 2, e.line());
    }

    @Test
    void aHeaderNameThatDiffersOnlyInCaseGetsAHint() {
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> parse(Format.CSV, utf8("band, Income ,age\n")));
        assertEquals(Reason.UNKNOWN_COLUMN, e.reason());
        assertTrue(e.getMessage().contains("header field 2") && e.getMessage().contains("differs from column income"), e.getMessage());
        assertFalse(e.getMessage().contains("Income"), e.getMessage());
    }

    @Test
    void everyReasonIsCoveredByTheMatrix() {
        List<Reason> covered = matrix().map(Case::reason).filter(r -> r != null).distinct().toList();
        assertEquals(Arrays.stream(Reason.values()).toList(), Arrays.stream(Reason.values()).filter(covered::contains).toList());
    }
}
