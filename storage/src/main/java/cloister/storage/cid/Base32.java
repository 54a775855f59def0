package cloister.storage.cid;

/**
 * RFC 4648 base32 (alphabet {@code a-z2-7}), lower case, no padding: the multibase {@code b} encoding IPFS uses for
 * CIDv1. Decoding accepts lower case only (multibase {@code b} is lower case; {@code B} would be upper case) and
 * refuses non-canonical input (leftover bits that are not zero, impossible lengths).
 */
public final class Base32 {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int[] VALUES = new int[128];

    static {
        java.util.Arrays.fill(VALUES, -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            VALUES[ALPHABET[i]] = i;
        }
    }

    private Base32() {}

    public static String encode(byte[] data) {
        StringBuilder sb = new StringBuilder((data.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                sb.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            sb.append(ALPHABET[(buffer << (5 - bits)) & 31]);
        }
        return sb.toString();
    }

    public static byte[] decode(CharSequence text) throws CidFormatException {
        int n = text.length();
        int tail = n % 8;
        if (tail == 1 || tail == 3 || tail == 6) {
            throw new CidFormatException("base32 text of " + n + " characters cannot be whole bytes");
        }
        byte[] out = new byte[n * 5 / 8];
        int buffer = 0;
        int bits = 0;
        int pos = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            int v = c < 128 ? VALUES[c] : -1;
            if (v < 0) {
                throw new CidFormatException("'" + c + "' at position " + i + " is not a lower-case base32 character (a-z, 2-7)");
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out[pos++] = (byte) (buffer >>> (bits - 8));
                bits -= 8;
            }
        }
        if ((buffer & ((1 << bits) - 1)) != 0) {
            throw new CidFormatException("base32 text has non-zero padding bits");
        }
        return out;
    }
}
