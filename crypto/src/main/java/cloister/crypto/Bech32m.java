package cloister.crypto;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/** Bech32m (BIP-350): human-readable part, separator '1', 5-bit data, 6-character checksum. */
public final class Bech32m {
    private static final String CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private static final int BECH32M_CONST = 0x2bc830a3;
    private static final int MAX_LENGTH = 90;

    /** A decoded string: its human-readable part and the 8-bit payload. */
    public record Decoded(String hrp, byte[] data) {}

    private Bech32m() {}

    public static String encode(String hrp, byte[] data) {
        return encode5(hrp, convertBits(data, 8, 5, true));
    }

    /** Encodes 5-bit values (each 0..31) as given. */
    static String encode5(String hrp, byte[] values) {
        byte[] checksum = checksum(hrp, values);
        StringBuilder sb = new StringBuilder(hrp.length() + 1 + values.length + 6);
        sb.append(hrp).append('1');
        for (byte v : values) {
            sb.append(CHARSET.charAt(v));
        }
        for (byte v : checksum) {
            sb.append(CHARSET.charAt(v));
        }
        return sb.toString();
    }

    /** Decodes a bech32m string to its 8-bit payload. */
    public static Decoded decode(String s) {
        Decoded5 d = decode5(s);
        return new Decoded(d.hrp, convertBits(d.values, 5, 8, false));
    }

    record Decoded5(String hrp, byte[] values) {}

    /** Decodes to 5-bit values; checks characters, case, length and the checksum. */
    static Decoded5 decode5(String s) {
        if (s.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("address too long");
        }
        boolean lower = false;
        boolean upper = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 33 || c > 126) {
                throw new IllegalArgumentException("address has an invalid character at position " + i);
            }
            lower |= c >= 'a' && c <= 'z';
            upper |= c >= 'A' && c <= 'Z';
        }
        if (lower && upper) {
            throw new IllegalArgumentException("address mixes upper and lower case");
        }
        String str = s.toLowerCase(Locale.ROOT);
        int sep = str.lastIndexOf('1');
        if (sep < 1) {
            throw new IllegalArgumentException("not an address: no '1' separator after a prefix");
        }
        if (sep + 7 > str.length()) {
            throw new IllegalArgumentException("address too short");
        }
        String hrp = str.substring(0, sep);
        byte[] values = new byte[str.length() - sep - 1];
        for (int i = 0; i < values.length; i++) {
            int v = CHARSET.indexOf(str.charAt(sep + 1 + i));
            if (v < 0) {
                throw new IllegalArgumentException("address has an invalid character '" + str.charAt(sep + 1 + i) + "'");
            }
            values[i] = (byte) v;
        }
        if (polymod(expand(hrp, values)) != BECH32M_CONST) {
            throw new IllegalArgumentException("address checksum does not match (a typo?)");
        }
        byte[] data = new byte[values.length - 6];
        System.arraycopy(values, 0, data, 0, data.length);
        return new Decoded5(hrp, data);
    }

    private static int polymod(byte[] values) {
        int[] gen = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
        int chk = 1;
        for (byte v : values) {
            int top = chk >>> 25;
            chk = ((chk & 0x1ffffff) << 5) ^ v;
            for (int i = 0; i < 5; i++) {
                if (((top >>> i) & 1) != 0) {
                    chk ^= gen[i];
                }
            }
        }
        return chk;
    }

    private static byte[] expand(String hrp, byte[] values) {
        int n = hrp.length();
        byte[] out = new byte[2 * n + 1 + values.length];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) (hrp.charAt(i) >> 5);
            out[n + 1 + i] = (byte) (hrp.charAt(i) & 31);
        }
        System.arraycopy(values, 0, out, 2 * n + 1, values.length);
        return out;
    }

    private static byte[] checksum(String hrp, byte[] values) {
        byte[] exp = expand(hrp, values);
        byte[] withZeros = new byte[exp.length + 6];
        System.arraycopy(exp, 0, withZeros, 0, exp.length);
        int mod = polymod(withZeros) ^ BECH32M_CONST;
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) ((mod >>> (5 * (5 - i))) & 31);
        }
        return out;
    }

    private static byte[] convertBits(byte[] in, int from, int to, boolean pad) {
        int acc = 0;
        int bits = 0;
        int maxv = (1 << to) - 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length * from / to + 1);
        for (byte b : in) {
            int value = b & 0xff;
            if ((value >>> from) != 0) {
                throw new IllegalArgumentException("invalid data value");
            }
            acc = (acc << from) | value;
            bits += from;
            while (bits >= to) {
                bits -= to;
                out.write((acc >>> bits) & maxv);
            }
        }
        if (pad) {
            if (bits > 0) {
                out.write((acc << (to - bits)) & maxv);
            }
        } else if (bits >= from || ((acc << (to - bits)) & maxv) != 0) {
            throw new IllegalArgumentException("address has invalid padding");
        }
        return out.toByteArray();
    }
}
