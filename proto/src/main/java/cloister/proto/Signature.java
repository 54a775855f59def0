package cloister.proto;

import cloister.common.Hex;
import cloister.crypto.Ed25519;
import java.util.Arrays;

/** A 64-byte Ed25519 signature value. */
public final class Signature {
    public static final Signature EMPTY = new Signature(new byte[Ed25519.SIGNATURE_LENGTH]);

    private final byte[] bytes;

    private Signature(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Signature of(byte[] bytes) {
        if (bytes.length != Ed25519.SIGNATURE_LENGTH) {
            throw new IllegalArgumentException("a signature is 64 bytes, got " + bytes.length);
        }
        return new Signature(bytes.clone());
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public String hex() {
        return Hex.encode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Signature s && Arrays.equals(bytes, s.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
