package cloister.common;

import java.util.Arrays;

/**
 * A 32-byte digest (SHA-256 throughout Cloister). Immutable: the constructor and {@link #bytes()} copy.
 * Ordered lexicographically by unsigned bytes.
 */
public final class Hash implements Comparable<Hash> {
    public static final int LENGTH = 32;
    public static final Hash ZERO = new Hash(new byte[LENGTH]);

    private final byte[] value;

    private Hash(byte[] value) {
        this.value = value;
    }

    public static Hash of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a hash is 32 bytes, got " + bytes.length);
        }
        return new Hash(bytes.clone());
    }

    /** Wraps without copying: only for arrays nobody else holds (fresh digests). */
    public static Hash wrap(byte[] fresh) {
        if (fresh.length != LENGTH) {
            throw new IllegalArgumentException("a hash is 32 bytes, got " + fresh.length);
        }
        return new Hash(fresh);
    }

    public static Hash fromHex(String hex) {
        return wrap(Hex.decode(hex));
    }

    public byte[] bytes() {
        return value.clone();
    }

    /** Copies the hash into {@code dst} at {@code offset}. */
    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(value, 0, dst, offset, LENGTH);
    }

    public String hex() {
        return Hex.encode(value);
    }

    /** The first 8 hex digits, for logs and tables. */
    public String shortHex() {
        return hex().substring(0, 8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash h && Arrays.equals(value, h.value);
    }

    @Override
    public int hashCode() {
        return (value[0] & 0xff) << 24 | (value[1] & 0xff) << 16 | (value[2] & 0xff) << 8 | (value[3] & 0xff);
    }

    @Override
    public int compareTo(Hash o) {
        return Arrays.compareUnsigned(value, o.value);
    }

    @Override
    public String toString() {
        return hex();
    }
}
