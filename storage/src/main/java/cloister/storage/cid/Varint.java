package cloister.storage.cid;

import java.io.ByteArrayOutputStream;

/**
 * The multiformats unsigned varint (https://github.com/multiformats/unsigned-varint): little-endian base-128, the
 * high bit of each byte set while more follow. Minimal encodings only (no trailing 0x80 0x00 padding), at most 9
 * bytes (63 bits), as the spec requires.
 */
public final class Varint {
    /** The spec's limit: 9 bytes carry 63 bits. */
    public static final int MAX_BYTES = 9;

    private Varint() {}

    public static void write(ByteArrayOutputStream out, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("varints are unsigned: " + value);
        }
        while (value >= 0x80) {
            out.write((int) (value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }

    public static byte[] encode(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(MAX_BYTES);
        write(out, value);
        return out.toByteArray();
    }

    /** A decoded value and how many bytes it took. */
    public record Decoded(long value, int length) {}

    /**
     * Reads one varint at {@code offset}.
     *
     * @throws CidFormatException if it is truncated, longer than 9 bytes, or not minimally encoded
     */
    public static Decoded read(byte[] buf, int offset) throws CidFormatException {
        long value = 0;
        for (int i = 0; i < MAX_BYTES; i++) {
            if (offset + i >= buf.length) {
                throw new CidFormatException("truncated varint");
            }
            int b = buf[offset + i] & 0xff;
            value |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) {
                    throw new CidFormatException("varint is not minimally encoded");
                }
                return new Decoded(value, i + 1);
            }
        }
        throw new CidFormatException("varint longer than " + MAX_BYTES + " bytes");
    }
}
