package cloister.market.data;

/**
 * Strict UTF-8 checks for record values: the JDK's decoders replace bad input silently ({@code new String}) or are slow
 * to set up per value ({@code CharsetDecoder}), and both the record files and the batch decoder must refuse, not
 * repair.
 */
final class Utf8 {
    private Utf8() {}

    /**
     * Whether {@code len} bytes at {@code off} are well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
     * above U+10FFFF, no truncated sequence.
     */
    static boolean valid(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            int c = b[i];
            if (c >= 0) {
                i++;
                continue;
            }
            c &= 0xff;
            if (c < 0xC2) {
                return false; // a continuation byte, or an overlong two-byte form
            }
            if (c < 0xE0) {
                if (i + 1 >= end || !continuation(b[i + 1])) {
                    return false;
                }
                i += 2;
            } else if (c < 0xF0) {
                if (i + 2 >= end) {
                    return false;
                }
                int c1 = b[i + 1] & 0xff;
                if (c == 0xE0 && c1 < 0xA0 || c == 0xED && c1 >= 0xA0 || !continuation(c1) || !continuation(b[i + 2])) {
                    return false; // overlong, a surrogate, or not a continuation
                }
                i += 3;
            } else if (c < 0xF5) {
                if (i + 3 >= end) {
                    return false;
                }
                int c1 = b[i + 1] & 0xff;
                if (c == 0xF0 && c1 < 0x90 || c == 0xF4 && c1 >= 0x90 || !continuation(c1) || !continuation(b[i + 2])
                        || !continuation(b[i + 3])) {
                    return false; // overlong, above U+10FFFF, or not a continuation
                }
                i += 4;
            } else {
                return false;
            }
        }
        return true;
    }

    private static boolean continuation(int b) {
        return (b & 0xC0) == 0x80;
    }

    /**
     * Writes the UTF-8 encoding of {@code s} at {@code dst[off]} (room for {@code 3 * s.length()} bytes is the
     * caller's) and returns its length, or -1 if {@code s} has an unpaired surrogate (then it has no UTF-8 encoding).
     */
    static int encode(String s, byte[] dst, int off) {
        int p = off;
        for (int i = 0, n = s.length(); i < n; i++) {
            char ch = s.charAt(i);
            if (ch < 0x80) {
                dst[p++] = (byte) ch;
            } else if (ch < 0x800) {
                dst[p++] = (byte) (0xC0 | ch >> 6);
                dst[p++] = (byte) (0x80 | ch & 0x3F);
            } else if (!Character.isSurrogate(ch)) {
                dst[p++] = (byte) (0xE0 | ch >> 12);
                dst[p++] = (byte) (0x80 | ch >> 6 & 0x3F);
                dst[p++] = (byte) (0x80 | ch & 0x3F);
            } else {
                if (!Character.isHighSurrogate(ch) || i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return -1;
                }
                int cp = Character.toCodePoint(ch, s.charAt(++i));
                dst[p++] = (byte) (0xF0 | cp >> 18);
                dst[p++] = (byte) (0x80 | cp >> 12 & 0x3F);
                dst[p++] = (byte) (0x80 | cp >> 6 & 0x3F);
                dst[p++] = (byte) (0x80 | cp & 0x3F);
            }
        }
        return p - off;
    }
}
