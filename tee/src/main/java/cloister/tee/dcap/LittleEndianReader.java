package cloister.tee.dcap;

import cloister.tee.QuoteRefusal;
import java.util.Arrays;

/** Reads the quote's little-endian integers and fixed-size fields, refusing anything that runs past its end. */
final class LittleEndianReader {
    private final byte[] bytes;
    private final int end;
    private final String what;
    private int position;

    /** Reads {@code bytes[from, to)}; {@code what} names the structure in refusal messages. */
    LittleEndianReader(byte[] bytes, int from, int to, String what) {
        this.bytes = bytes;
        this.position = from;
        this.end = to;
        this.what = what;
    }

    int position() {
        return position;
    }

    int remaining() {
        return end - position;
    }

    int u16() throws DcapRefusal {
        require(2, "a 16-bit field");
        int v = (bytes[position] & 0xff) | (bytes[position + 1] & 0xff) << 8;
        position += 2;
        return v;
    }

    /** An unsigned 32-bit value; a {@code long} so that lengths near 2^32 are compared, not wrapped. */
    long u32() throws DcapRefusal {
        require(4, "a 32-bit field");
        long v = (bytes[position] & 0xffL) | (bytes[position + 1] & 0xffL) << 8 | (bytes[position + 2] & 0xffL) << 16
                | (bytes[position + 3] & 0xffL) << 24;
        position += 4;
        return v;
    }

    byte[] bytes(long length, String field) throws DcapRefusal {
        require(length, field);
        byte[] out = Arrays.copyOfRange(bytes, position, position + (int) length);
        position += (int) length;
        return out;
    }

    private void require(long length, String field) throws DcapRefusal {
        if (length > end - position) {
            throw new DcapRefusal(QuoteRefusal.MALFORMED_QUOTE, what + " is truncated: " + field + " of " + length
                    + " bytes at offset " + position + " runs past its end at " + end);
        }
    }
}
