package cloister.chain.wasm;

import java.io.ByteArrayOutputStream;

/** Reading and writing the WebAssembly binary format's primitives (bytes and LEB128 integers). */
public final class WasmBytes {
    private WasmBytes() {}

    /** Thrown when the bytes end early or an integer is too long: the module is malformed. */
    public static final class MalformedModule extends Exception {
        private static final long serialVersionUID = 1L;

        public MalformedModule(String message) {
            super(message);
        }
    }

    /** A cursor over {@code [pos, end)} of an array. */
    public static final class Reader {
        final byte[] bytes;
        public int pos;
        final int end;

        public Reader(byte[] bytes, int pos, int end) {
            this.bytes = bytes;
            this.pos = pos;
            this.end = end;
        }

        public boolean more() {
            return pos < end;
        }

        public int u8() throws MalformedModule {
            if (pos >= end) {
                throw new MalformedModule("unexpected end at byte " + pos);
            }
            return bytes[pos++] & 0xFF;
        }

        public int peek() throws MalformedModule {
            if (pos >= end) {
                throw new MalformedModule("unexpected end at byte " + pos);
            }
            return bytes[pos] & 0xFF;
        }

        /** An unsigned LEB128 of at most 32 bits. */
        public int u32() throws MalformedModule {
            long result = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                int b = u8();
                result |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    if (result > 0xFFFF_FFFFL) {
                        throw new MalformedModule("integer too large at byte " + pos);
                    }
                    return (int) result;
                }
            }
            throw new MalformedModule("integer representation too long at byte " + pos);
        }

        /** A signed LEB128 of at most {@code bits} bits. */
        public long signed(int bits) throws MalformedModule {
            long result = 0;
            int shift = 0;
            int maxBytes = (bits + 6) / 7;
            for (int i = 0; i < maxBytes; i++) {
                int b = u8();
                result |= (long) (b & 0x7F) << shift;
                shift += 7;
                if ((b & 0x80) == 0) {
                    if (shift < 64 && (b & 0x40) != 0) {
                        result |= -1L << shift;
                    }
                    return result;
                }
            }
            throw new MalformedModule("integer representation too long at byte " + pos);
        }

        public void skip(int n) throws MalformedModule {
            if (n < 0 || end - pos < n) {
                throw new MalformedModule("unexpected end at byte " + pos);
            }
            pos += n;
        }
    }

    public static void u32(ByteArrayOutputStream out, int value) {
        long v = value & 0xFFFF_FFFFL;
        do {
            int b = (int) (v & 0x7F);
            v >>>= 7;
            out.write(v != 0 ? b | 0x80 : b);
        } while (v != 0);
    }

    public static void s64(ByteArrayOutputStream out, long value) {
        while (true) {
            int b = (int) (value & 0x7F);
            value >>= 7;
            boolean done = (value == 0 && (b & 0x40) == 0) || (value == -1 && (b & 0x40) != 0);
            out.write(done ? b : b | 0x80);
            if (done) {
                return;
            }
        }
    }
}
