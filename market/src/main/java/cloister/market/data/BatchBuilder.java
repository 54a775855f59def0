package cloister.market.data;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Accumulates rows column by column and writes them as one {@link RecordBatch} encoding (the format is documented
 * there). Rows are checked before anything is committed, so a refused row leaves the batch unchanged.
 */
final class BatchBuilder {
    static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final ColumnType[] types;
    private final String[] names;
    private final byte[] schemaHash;
    /** Per column: the encoded values of its non-null rows, {@code values[c][0, valueLen[c])}. */
    private final byte[][] values;
    private final int[] valueLen;
    /** Per column: bit {@code r} set when row {@code r} is null; {@code anyNull[c]} when any is. */
    private final long[][] nullBits;
    private final boolean[] anyNull;
    /** The UTF-8 length of each text value of the row last checked, encoded (uncommitted) at {@code values[c][valueLen[c] + 2]}. */
    private final int[] pendingText;
    private int rows;

    BatchBuilder(Schema schema) {
        int n = schema.columns().size();
        types = new ColumnType[n];
        names = new String[n];
        for (int c = 0; c < n; c++) {
            types[c] = schema.columns().get(c).type();
            names[c] = schema.columns().get(c).name();
        }
        schemaHash = schema.hash().bytes();
        values = new byte[n][];
        valueLen = new int[n];
        nullBits = new long[n][];
        anyNull = new boolean[n];
        pendingText = new int[n];
        for (int c = 0; c < n; c++) {
            values[c] = new byte[1024];
            nullBits[c] = new long[16];
        }
    }

    int rows() {
        return rows;
    }

    /** The encoded size of the rows so far. */
    long size() {
        long size = RecordBatch.HEADER_BYTES;
        int bitmap = (rows + 7) >>> 3;
        for (int c = 0; c < types.length; c++) {
            size += 1 + (anyNull[c] ? bitmap : 0) + valueLen[c];
        }
        return size;
    }

    /**
     * Checks {@code row} against the schema and returns the encoded size the batch would have with it appended.
     *
     * @throws IllegalArgumentException naming the column (never the value) if the row does not fit the schema
     */
    long sizeWith(Object[] row) {
        if (row.length != types.length) {
            throw new IllegalArgumentException("a row of " + row.length + " values for a schema of " + types.length + " columns");
        }
        long size = RecordBatch.HEADER_BYTES;
        int bitmap = (rows + 1 + 7) >>> 3;
        for (int c = 0; c < types.length; c++) {
            Object v = row[c];
            size += 1 + (anyNull[c] || v == null ? bitmap : 0) + valueLen[c];
            if (v == null) {
                continue;
            }
            switch (types[c]) {
                case INT -> {
                    if (!(v instanceof Long)) {
                        throw wrongType(c, "a Long");
                    }
                    size += 8;
                }
                case REAL -> {
                    if (!(v instanceof Double d)) {
                        throw wrongType(c, "a Double");
                    }
                    if (!Double.isFinite(d)) {
                        throw new IllegalArgumentException("column " + names[c] + ": NaN and infinities are not allowed");
                    }
                    size += 8;
                }
                case TEXT -> {
                    if (!(v instanceof String s)) {
                        throw wrongType(c, "a String");
                    }
                    if (s.length() > Schema.MAX_TEXT_BYTES) { // every char is at least one byte
                        throw tooLong(c);
                    }
                    // Encoded in place after the column's values; append() only commits it.
                    ensure(c, 2 + 3 * s.length());
                    int n = Utf8.encode(s, values[c], valueLen[c] + 2);
                    if (n < 0) {
                        throw new IllegalArgumentException("column " + names[c] + ": text with an unpaired surrogate");
                    }
                    if (n > Schema.MAX_TEXT_BYTES) {
                        throw tooLong(c);
                    }
                    pendingText[c] = n;
                    size += 2 + n;
                }
            }
        }
        return size;
    }

    private IllegalArgumentException tooLong(int c) {
        return new IllegalArgumentException("column " + names[c] + ": text longer than " + Schema.MAX_TEXT_BYTES + " UTF-8 bytes");
    }

    private IllegalArgumentException wrongType(int c, String expected) {
        return new IllegalArgumentException("column " + names[c] + " (" + types[c].word() + ") takes " + expected + " or null");
    }

    /** Appends the row last passed to {@link #sizeWith}. */
    void append(Object[] row) {
        for (int c = 0; c < types.length; c++) {
            Object v = row[c];
            if (v == null) {
                long[] bits = nullBits[c];
                if (rows >>> 6 >= bits.length) {
                    bits = nullBits[c] = Arrays.copyOf(bits, bits.length * 2);
                }
                bits[rows >>> 6] |= 1L << (rows & 63);
                anyNull[c] = true;
                continue;
            }
            switch (types[c]) {
                case INT -> {
                    ensure(c, 8);
                    LONG_BE.set(values[c], valueLen[c], (long) (Long) v);
                    valueLen[c] += 8;
                }
                case REAL -> {
                    ensure(c, 8);
                    LONG_BE.set(values[c], valueLen[c], Double.doubleToRawLongBits((Double) v));
                    valueLen[c] += 8;
                }
                case TEXT -> {
                    int n = pendingText[c];
                    values[c][valueLen[c]] = (byte) (n >>> 8);
                    values[c][valueLen[c] + 1] = (byte) n;
                    valueLen[c] += 2 + n;
                }
            }
        }
        rows++;
    }

    private void ensure(int c, int extra) {
        if (valueLen[c] + extra > values[c].length) {
            values[c] = Arrays.copyOf(values[c], Math.max(values[c].length * 2, valueLen[c] + extra));
        }
    }

    /** The batch of the rows so far (at least one). */
    byte[] encode() {
        byte[] out = new byte[Math.toIntExact(size())];
        System.arraycopy(RecordBatch.MAGIC, 0, out, 0, 4);
        out[4] = RecordBatch.VERSION;
        System.arraycopy(schemaHash, 0, out, 5, schemaHash.length);
        INT_BE.set(out, 37, rows);
        INT_BE.set(out, 41, out.length - RecordBatch.HEADER_BYTES);
        int p = RecordBatch.HEADER_BYTES;
        int bitmap = (rows + 7) >>> 3;
        for (int c = 0; c < types.length; c++) {
            if (anyNull[c]) {
                out[p++] = 1;
                long[] bits = nullBits[c];
                for (int j = 0; j < bitmap; j++) {
                    out[p + j] = (byte) (bits[j >>> 3] >>> ((j & 7) << 3));
                }
                p += bitmap;
            } else {
                out[p++] = 0;
            }
            System.arraycopy(values[c], 0, out, p, valueLen[c]);
            p += valueLen[c];
        }
        return out;
    }

    /** Empties the builder, keeping its buffers. */
    void clear() {
        for (int c = 0; c < types.length; c++) {
            Arrays.fill(nullBits[c], 0, Math.min(nullBits[c].length, (rows >>> 6) + 1), 0L);
            anyNull[c] = false;
            valueLen[c] = 0;
        }
        rows = 0;
    }
}
