package cloister.market.data;

import cloister.common.Hash;
import cloister.proto.MalformedException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A batch of rows of one {@link Schema} in Cloister's canonical binary form: what a data owner's machine encrypts into
 * the storage network, and what the analysis enclave decrypts and loads. Specified in {@code docs/w3a-records.md}:
 *
 * <pre>
 * header (45 bytes)
 *   4   magic "CLRB"
 *   1   version = 0x01
 *   32  schema hash (Schema.hash())
 *   4   u32 row count, 1 … MAX_ROWS
 *   4   u32 body length (bytes after the header)
 * body: one section per column, in schema order
 *   1   null flag: 0 = no nulls, 1 = a null bitmap follows (marking at least one null)
 *   ⌈rows/8⌉ null bitmap (if the flag is 1): bit r%8 of byte r/8 set when row r is null; padding bits 0
 *   the values of the non-null rows, in row order:
 *     int   8 bytes, signed two's complement, big-endian
 *     real  8 bytes, IEEE 754 binary64 bits, big-endian; finite
 *     text  u16 length (≤ Schema.MAX_TEXT_BYTES), then that many bytes of well-formed UTF-8
 * </pre>
 *
 * Column-wise, because the reader is a columnar engine (DuckDB) that loads a column at a time, because one column's
 * values share a type and validate in a tight loop, and because similar values side by side compress well should a
 * compression step ever precede encryption. Every value has exactly one encoding and the decoder refuses everything
 * else, so equal rows give equal bytes and a decoded batch re-encodes to the bytes it came from.
 *
 * <p>Immutable; rows are decoded on demand from the validated bytes.
 */
public final class RecordBatch implements Iterable<Object[]> {
    public static final byte VERSION = 1;
    public static final int HEADER_BYTES = 45;
    /** The most rows in one batch. */
    public static final int MAX_ROWS = 1 << 20;
    /** The largest batch in bytes, header included. */
    public static final int MAX_BYTES = 64 << 20;
    static final byte[] MAGIC = {'C', 'L', 'R', 'B'};

    private final Schema schema;
    private final byte[] bytes;
    private final int rows;
    /** Per column: whether it has a null bitmap, where the bitmap starts and where the values start. */
    private final boolean[] hasNulls;
    private final int[] bitmapAt;
    private final int[] valuesAt;

    private RecordBatch(Schema schema, byte[] bytes, int rows, boolean[] hasNulls, int[] bitmapAt, int[] valuesAt) {
        this.schema = schema;
        this.bytes = bytes;
        this.rows = rows;
        this.hasNulls = hasNulls;
        this.bitmapAt = bitmapAt;
        this.valuesAt = valuesAt;
    }

    /**
     * Encodes {@code rows} (each in schema column order: Long, Double, String or null).
     *
     * @throws IllegalArgumentException if there are no rows, more than {@link #MAX_ROWS}, the encoding would exceed
     *     {@link #MAX_BYTES}, or a row does not fit the schema (the message names the column, never the value)
     */
    public static RecordBatch of(Schema schema, List<Object[]> rows) {
        if (rows.isEmpty() || rows.size() > MAX_ROWS) {
            throw new IllegalArgumentException("a batch holds 1 to " + MAX_ROWS + " rows, not " + rows.size());
        }
        BatchBuilder b = new BatchBuilder(schema);
        for (int i = 0; i < rows.size(); i++) {
            Object[] row = Objects.requireNonNull(rows.get(i), "row");
            long size;
            try {
                size = b.sizeWith(row);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("row " + i + ": " + e.getMessage());
            }
            if (size > MAX_BYTES) {
                throw new IllegalArgumentException("the rows need more than " + MAX_BYTES + " bytes: split them (RecordBatchWriter does)");
            }
            b.append(row);
        }
        return decodeOwned(schema, schema.hash(), b.encode());
    }

    /**
     * Decodes and validates a batch of {@code expected}'s rows. Nothing is decoded into objects yet; the bytes are
     * copied.
     *
     * @throws MalformedException if the bytes are not a canonical batch of that schema (the message says what is wrong,
     *     never a value)
     */
    public static RecordBatch decode(Schema expected, byte[] bytes) {
        return decodeOwned(expected, expected.hash(), bytes.clone());
    }

    /**
     * {@link #decode} of an array handed over: the batch keeps {@code bytes} itself rather than a copy, so the caller
     * must not keep, change or wipe it afterwards (a batch just decrypted into memory, whose plaintext is the batch).
     *
     * @throws MalformedException as {@link #decode}; {@code bytes} is then the caller's again
     */
    public static RecordBatch decodeTaking(Schema expected, byte[] bytes) {
        return decodeOwned(expected, expected.hash(), bytes);
    }

    /** Checks a batch header (the first {@link #HEADER_BYTES} of {@code b}) and returns the body length. */
    static int checkHeader(byte[] b, Hash expectedHash) {
        if (b.length < HEADER_BYTES) {
            throw new MalformedException("truncated: a record batch header is " + HEADER_BYTES + " bytes, " + b.length + " given");
        }
        if (!Arrays.equals(b, 0, 4, MAGIC, 0, 4)) {
            throw new MalformedException("not a record batch (the magic is not CLRB)");
        }
        if (b[4] != VERSION) {
            throw new MalformedException("record batch version " + (b[4] & 0xff) + " is not supported (only " + VERSION + ")");
        }
        byte[] expected = expectedHash.bytes();
        if (!Arrays.equals(b, 5, 37, expected, 0, Hash.LENGTH)) {
            throw new MalformedException("the batch is for another schema (schema hash differs)");
        }
        int rows = (int) BatchBuilder.INT_BE.get(b, 37);
        if (rows < 1 || rows > MAX_ROWS) {
            throw new MalformedException("row count: a batch holds 1 to " + MAX_ROWS + " rows");
        }
        int body = (int) BatchBuilder.INT_BE.get(b, 41);
        if (body < 0 || body > MAX_BYTES - HEADER_BYTES) {
            throw new MalformedException("body length: a batch is at most " + MAX_BYTES + " bytes");
        }
        return body;
    }

    /** Decodes {@code bytes}, which nobody else holds. */
    static RecordBatch decodeOwned(Schema schema, Hash schemaHash, byte[] bytes) {
        int body = checkHeader(bytes, schemaHash);
        if (body != bytes.length - HEADER_BYTES) {
            throw new MalformedException("the body length says " + body + " bytes, " + (bytes.length - HEADER_BYTES) + " follow the header");
        }
        int rows = (int) BatchBuilder.INT_BE.get(bytes, 37);
        List<Column> cols = schema.columns();
        int n = cols.size();
        boolean[] hasNulls = new boolean[n];
        int[] bitmapAt = new int[n];
        int[] valuesAt = new int[n];
        int bitmap = (rows + 7) >>> 3;
        int p = HEADER_BYTES;
        for (int c = 0; c < n; c++) {
            String name = cols.get(c).name();
            need(bytes, p, 1, name, "null flag");
            int flag = bytes[p++];
            int present = rows;
            if (flag == 1) {
                need(bytes, p, bitmap, name, "null bitmap");
                int nulls = 0;
                for (int j = 0; j < bitmap; j++) {
                    nulls += Integer.bitCount(bytes[p + j] & 0xff);
                }
                if ((rows & 7) != 0 && (bytes[p + bitmap - 1] & 0xff) >>> (rows & 7) != 0) {
                    throw new MalformedException("column " + name + ": the null bitmap's padding bits are not zero");
                }
                if (nulls == 0) {
                    throw new MalformedException("column " + name + ": a null bitmap marking no null (not canonical: the flag must be 0)");
                }
                hasNulls[c] = true;
                bitmapAt[c] = p;
                present = rows - nulls;
                p += bitmap;
            } else if (flag != 0) {
                throw new MalformedException("column " + name + ": the null flag must be 0 or 1");
            }
            valuesAt[c] = p;
            switch (cols.get(c).type()) {
                case INT -> {
                    need(bytes, p, present * 8, name, "int values");
                    p += present * 8;
                }
                case REAL -> {
                    need(bytes, p, present * 8, name, "real values");
                    for (int i = 0; i < present; i++, p += 8) {
                        long bits = (long) BatchBuilder.LONG_BE.get(bytes, p);
                        if ((bits & 0x7FF0000000000000L) == 0x7FF0000000000000L) {
                            throw new MalformedException("column " + name + ": a real value is NaN or infinite");
                        }
                    }
                }
                case TEXT -> {
                    for (int i = 0; i < present; i++) {
                        need(bytes, p, 2, name, "text length");
                        int len = (bytes[p] & 0xff) << 8 | bytes[p + 1] & 0xff;
                        p += 2;
                        if (len > Schema.MAX_TEXT_BYTES) {
                            throw new MalformedException("column " + name + ": a text of " + len + " bytes exceeds the limit " + Schema.MAX_TEXT_BYTES);
                        }
                        need(bytes, p, len, name, "text");
                        if (!Utf8.valid(bytes, p, len)) {
                            throw new MalformedException("column " + name + ": a text is not valid UTF-8");
                        }
                        p += len;
                    }
                }
            }
        }
        if (p != bytes.length) {
            throw new MalformedException("record batch: " + (bytes.length - p) + " unexpected trailing bytes");
        }
        return new RecordBatch(schema, bytes, rows, hasNulls, bitmapAt, valuesAt);
    }

    private static void need(byte[] b, int p, int n, String column, String what) {
        if (b.length - p < n) {
            throw new MalformedException("truncated: column " + column + ": " + what + " needs " + n + " bytes, " + (b.length - p) + " left");
        }
    }

    public Schema schema() {
        return schema;
    }

    public int rowCount() {
        return rows;
    }

    /** The length of the encoding in bytes. */
    public int encodedLength() {
        return bytes.length;
    }

    /** The canonical encoding (a copy). */
    public byte[] encoded() {
        return bytes.clone();
    }

    /** The rows, in order, decoded one at a time; each {@code Object[]} is fresh. */
    @Override
    public Iterator<Object[]> iterator() {
        return new Rows();
    }

    /** All rows, decoded. */
    public List<Object[]> rows() {
        List<Object[]> out = new ArrayList<>(rows);
        for (Object[] row : this) {
            out.add(row);
        }
        return out;
    }

    /** Whether row {@code row} of column {@code column} is NULL. */
    public boolean isNull(int column, int row) {
        Objects.checkIndex(row, rows);
        return hasNulls[column] && (bytes[bitmapAt[column] + (row >>> 3)] & 1 << (row & 7)) != 0;
    }

    /**
     * A cursor over column {@code column}'s non-NULL values in row order, read straight from the validated bytes with
     * no object per value: for columnar loaders (the analysis engine fills DuckDB vectors from it). Use
     * {@link #isNull} to tell which rows the values belong to.
     */
    public Values values(int column) {
        int present = rows;
        if (hasNulls[column]) {
            for (int j = 0, n = (rows + 7) >>> 3; j < n; j++) {
                present -= Integer.bitCount(bytes[bitmapAt[column] + j] & 0xff);
            }
        }
        return new Values(schema.columns().get(column).type(), valuesAt[column], present);
    }

    /** A column's non-NULL values, in row order; each {@code next…} reads one (of the column's type) and moves on. */
    public final class Values {
        private final ColumnType type;
        private int at;
        private int left;

        private Values(ColumnType type, int at, int present) {
            this.type = type;
            this.at = at;
            this.left = present;
        }

        /** The next value of an INT column. */
        public long nextLong() {
            expect(ColumnType.INT);
            long v = (long) BatchBuilder.LONG_BE.get(bytes, at);
            at += 8;
            return v;
        }

        /** The next value of a REAL column (finite: the decoder refused NaN and infinities). */
        public double nextDouble() {
            expect(ColumnType.REAL);
            double v = Double.longBitsToDouble((long) BatchBuilder.LONG_BE.get(bytes, at));
            at += 8;
            return v;
        }

        /** The next value of a TEXT column as its UTF-8 bytes (a fresh copy; well-formed, the decoder checked). */
        public byte[] nextUtf8() {
            expect(ColumnType.TEXT);
            int len = (bytes[at] & 0xff) << 8 | bytes[at + 1] & 0xff;
            byte[] v = Arrays.copyOfRange(bytes, at + 2, at + 2 + len);
            at += 2 + len;
            return v;
        }

        private void expect(ColumnType t) {
            if (type != t) {
                throw new IllegalStateException("a " + type.word() + " column read as " + t.word());
            }
            if (left-- <= 0) {
                throw new NoSuchElementException("no more values in this column");
            }
        }
    }

    @Override
    public String toString() {
        return "RecordBatch[" + rows + " rows, " + bytes.length + " bytes, schema " + schema.hash().shortHex() + "]";
    }

    /** A cursor per column over the validated bytes. */
    private final class Rows implements Iterator<Object[]> {
        private final int[] at = valuesAt.clone();
        private final ColumnType[] types = new ColumnType[valuesAt.length];
        private int row;

        Rows() {
            for (int c = 0; c < types.length; c++) {
                types[c] = schema.columns().get(c).type();
            }
        }

        @Override
        public boolean hasNext() {
            return row < rows;
        }

        @Override
        public Object[] next() {
            if (row >= rows) {
                throw new NoSuchElementException();
            }
            Object[] out = new Object[types.length];
            for (int c = 0; c < types.length; c++) {
                if (hasNulls[c] && (bytes[bitmapAt[c] + (row >>> 3)] & 1 << (row & 7)) != 0) {
                    continue;
                }
                int p = at[c];
                switch (types[c]) {
                    case INT -> {
                        out[c] = (long) BatchBuilder.LONG_BE.get(bytes, p);
                        at[c] = p + 8;
                    }
                    case REAL -> {
                        out[c] = Double.longBitsToDouble((long) BatchBuilder.LONG_BE.get(bytes, p));
                        at[c] = p + 8;
                    }
                    case TEXT -> {
                        int len = (bytes[p] & 0xff) << 8 | bytes[p + 1] & 0xff;
                        out[c] = new String(bytes, p + 2, len, StandardCharsets.UTF_8);
                        at[c] = p + 2 + len;
                    }
                }
            }
            row++;
            return out;
        }
    }
}
