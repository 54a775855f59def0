package cloister.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF-SHA256 (RFC 5869) on the JDK's {@code HmacSHA256}: {@link #extract} turns input keying material into a
 * pseudorandom key, {@link #expand} stretches that key into as many output bytes as needed, bound to an
 * {@code info} label. {@link Hpke} builds its key schedule on it; it is public so other modules derive keys from
 * shared secrets the same, tested way instead of hashing them ad hoc.
 *
 * <p>Outputs are secret key material: callers keep them out of logs and wipe them when done. Stateless and
 * thread-safe.
 */
public final class Hkdf {
    /** SHA-256's output length, RFC 5869's {@code HashLen} (and HPKE's {@code Nh}). */
    public static final int HASH_LENGTH = 32;
    /** The longest output {@link #expand} can produce: 255 blocks (RFC 5869 §2.3). */
    public static final int MAX_OUTPUT_LENGTH = 255 * HASH_LENGTH;

    private static final String HMAC = "HmacSHA256";
    /**
     * RFC 5869 §2.2: an absent salt is {@code HashLen} zero bytes. HMAC pads its key with zeros, so this is also
     * exactly what an empty salt means, and the JDK refuses an empty HMAC key.
     */
    private static final byte[] ZERO_SALT = new byte[HASH_LENGTH];

    private Hkdf() {}

    /**
     * {@code HKDF-Extract(salt, ikm) = HMAC-SHA256(salt, ikm)}: a 32-byte pseudorandom key.
     *
     * @param salt optional salt; {@code null} or empty means 32 zero bytes, as RFC 5869 §2.2 says
     * @param ikm input keying material (a Diffie-Hellman output, a seed)
     */
    public static byte[] extract(byte[] salt, byte[] ikm) {
        return extractParts(salt, ikm);
    }

    /**
     * {@code HKDF-Expand(prk, info, length)}: {@code T(1) | T(2) | ...} truncated to {@code length}, where
     * {@code T(i) = HMAC-SHA256(prk, T(i-1) | info | i)}.
     *
     * @param prk a pseudorandom key of at least 32 bytes, normally {@link #extract}'s output
     * @param info context binding the output to its use (may be empty)
     * @param length 0 to {@value #MAX_OUTPUT_LENGTH} bytes
     * @throws IllegalArgumentException if {@code prk} is shorter than 32 bytes or {@code length} is out of range
     */
    public static byte[] expand(byte[] prk, byte[] info, int length) {
        return expandParts(prk, length, info);
    }

    /** Extract then expand: {@code expand(extract(salt, ikm), info, length)}, the intermediate key wiped. */
    public static byte[] derive(byte[] salt, byte[] ikm, byte[] info, int length) {
        byte[] prk = extract(salt, ikm);
        try {
            return expand(prk, info, length);
        } finally {
            Arrays.fill(prk, (byte) 0);
        }
    }

    /** {@link #extract} over the concatenation of {@code ikm}'s parts, without building it (HPKE's labels). */
    static byte[] extractParts(byte[] salt, byte[]... ikm) {
        Mac mac = hmac(salt == null || salt.length == 0 ? ZERO_SALT : salt);
        for (byte[] part : ikm) {
            mac.update(part);
        }
        return mac.doFinal();
    }

    /** {@link #expand} with {@code info} given as parts to concatenate. */
    static byte[] expandParts(byte[] prk, int length, byte[]... info) {
        if (prk.length < HASH_LENGTH) {
            throw new IllegalArgumentException("an HKDF-SHA256 pseudorandom key is at least 32 bytes, got " + prk.length);
        }
        if (length < 0 || length > MAX_OUTPUT_LENGTH) {
            throw new IllegalArgumentException("HKDF-SHA256 output length must be 0.." + MAX_OUTPUT_LENGTH + ", got " + length);
        }
        byte[] out = new byte[length];
        if (length == 0) {
            return out;
        }
        Mac mac = hmac(prk);
        byte[] t = new byte[HASH_LENGTH];
        try {
            for (int i = 1, done = 0; done < length; i++) {
                if (i > 1) {
                    mac.update(t);
                }
                for (byte[] part : info) {
                    mac.update(part);
                }
                mac.update((byte) i);
                mac.doFinal(t, 0); // doFinal leaves the Mac keyed with prk, ready for the next block
                int n = Math.min(HASH_LENGTH, length - done);
                System.arraycopy(t, 0, out, done, n);
                done += n;
            }
        } catch (ShortBufferException e) {
            throw new IllegalStateException("HMAC-SHA256 output is 32 bytes", e);
        } finally {
            Arrays.fill(t, (byte) 0);
        }
        return out;
    }

    private static Mac hmac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is available on every Java platform", e);
        }
    }
}
