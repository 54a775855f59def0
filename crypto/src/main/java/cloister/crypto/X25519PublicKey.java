package cloister.crypto;

import cloister.common.Hex;
import java.util.Arrays;

/**
 * An X25519 public key: the 32-byte little-endian u-coordinate of RFC 7748 §5, exactly as it travels on the wire
 * (HPKE's {@code SerializePublicKey}, RFC 9180 §7.1.1). Any 32 bytes are accepted, as RFC 7748 prescribes; a
 * low-order point is caught where it matters, when an agreement with it yields the all-zero secret
 * ({@link EcdhKey#agree}, {@link Hpke}).
 *
 * <p>Immutable; equal when the bytes are equal; prints as lower-case hex.
 */
public final class X25519PublicKey {
    /** Length of an encoded key, RFC 7748's {@code Npk}. */
    public static final int LENGTH = 32;

    private final byte[] key;

    private X25519PublicKey(byte[] key) {
        this.key = key;
    }

    /**
     * @param bytes the 32-byte encoding (copied)
     * @throws IllegalArgumentException if it is not 32 bytes long
     */
    public static X25519PublicKey of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("an X25519 public key is 32 bytes, got " + bytes.length);
        }
        return new X25519PublicKey(bytes.clone());
    }

    /**
     * Parses 64 hex digits (an optional {@code 0x} prefix is allowed).
     *
     * @throws IllegalArgumentException if the text is not hex or not 32 bytes
     */
    public static X25519PublicKey parse(String hex) {
        return of(Hex.decode(hex.trim()));
    }

    /** The 32-byte encoding (a copy). */
    public byte[] bytes() {
        return key.clone();
    }

    public String hex() {
        return Hex.encode(key);
    }

    /** The encoding itself, without a copy: for this package's hot paths, which never write to it. */
    byte[] raw() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof X25519PublicKey k && Arrays.equals(key, k.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return hex();
    }
}
