package cloister.crypto;

import cloister.common.Hex;
import java.util.Arrays;

/** PLACEHOLDER until the crypto branch lands: an X25519 public key (32 bytes). */
public final class X25519PublicKey {
    public static final int LENGTH = 32;
    private final byte[] bytes;

    private X25519PublicKey(byte[] bytes) {
        this.bytes = bytes;
    }

    public static X25519PublicKey of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("an X25519 public key is 32 bytes");
        }
        return new X25519PublicKey(bytes.clone());
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof X25519PublicKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return Hex.encode(bytes);
    }
}
