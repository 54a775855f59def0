package cloister.crypto;

import java.security.SecureRandom;
import java.util.Optional;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * An X25519 private key (RFC 7748): a secret 32-byte scalar with its {@link X25519PublicKey}. Used for key
 * agreement and as an HPKE recipient key ({@link Hpke}); the arithmetic is BouncyCastle's low-level
 * {@code org.bouncycastle.math.ec.rfc7748.X25519}, the fastest X25519 on this JVM: measured here at ~11 k
 * agreements/s per core against ~6 k for the JDK's {@code KeyAgreement("X25519")} ({@code ./cloister bench hpke}).
 *
 * <p>The scalar is stored clamped (RFC 7748 §5 {@code decodeScalar25519}: bits 0–2 and 255 cleared, bit 254
 * set), the canonical serialization RFC 9180 §7.1.2 requires ("SerializePrivateKey() MUST clamp its output and
 * DeserializePrivateKey() MUST clamp its input"). Clamping never changes the key: X25519 clamps inside every
 * multiplication anyway. It never prints itself, and it can only be read with {@link #secret(SecretAccess)}.
 *
 * <p>Immutable and thread-safe. Equality is identity: two keys are compared by their {@link #publicKey()}.
 */
public final class EcdhKey {
    /** Length of the secret scalar, RFC 7748's {@code Nsk}. */
    public static final int SECRET_LENGTH = 32;
    /** Length of an agreed shared secret (the u-coordinate of the shared point). */
    public static final int SHARED_SECRET_LENGTH = 32;

    private final byte[] secret;
    private final X25519PublicKey publicKey;

    private EcdhKey(byte[] secret) {
        this.secret = secret;
        byte[] pk = new byte[X25519PublicKey.LENGTH];
        X25519.scalarMultBase(secret, 0, pk, 0);
        this.publicKey = X25519PublicKey.of(pk);
    }

    /** A fresh key: 32 bytes from {@code random}, clamped as RFC 7748 §5 describes. */
    public static EcdhKey generate(SecureRandom random) {
        byte[] k = new byte[SECRET_LENGTH];
        X25519.generatePrivateKey(random, k);
        return new EcdhKey(k);
    }

    /** A fresh key from a new {@link SecureRandom}. */
    public static EcdhKey generate() {
        return generate(new SecureRandom());
    }

    /**
     * The key with this 32-byte secret scalar (copied, then clamped: clamped or not, both give the same key).
     *
     * @throws IllegalArgumentException if it is not 32 bytes long (the message names the length only)
     */
    public static EcdhKey fromSecret(byte[] secret) {
        if (secret.length != SECRET_LENGTH) {
            throw new IllegalArgumentException("an X25519 secret key is 32 bytes, got " + secret.length);
        }
        byte[] k = secret.clone();
        X25519.clampPrivateKey(k);
        return new EcdhKey(k);
    }

    public X25519PublicKey publicKey() {
        return publicKey;
    }

    /**
     * The secret scalar, clamped (a copy): RFC 9180's {@code SerializePrivateKey}. Callers must keep it out of logs,
     * errors and unencrypted files.
     */
    public byte[] secret(SecretAccess access) {
        if (access == null) {
            throw new NullPointerException("secret access token");
        }
        return secret.clone();
    }

    /**
     * X25519 agreement with {@code peer}: the 32-byte shared secret {@code X25519(secret, peer)}, or empty when it
     * is all zero, which happens exactly when {@code peer} is a point of small order (RFC 7748 §6.1: such a
     * result MUST be refused, or a hostile peer could force a known "shared" secret). A refusal is an expected
     * outcome with untrusted keys, hence a value rather than an exception.
     *
     * <p>The raw shared secret is not uniformly random: feed it to a KDF (as {@link Hpke} does), never use it as a
     * key directly. Callers must keep it out of logs.
     */
    public Optional<byte[]> agree(X25519PublicKey peer) {
        byte[] shared = new byte[SHARED_SECRET_LENGTH];
        return agreeInto(peer.raw(), shared) ? Optional.of(shared) : Optional.empty();
    }

    /**
     * Writes {@code X25519(secret, peer)} into {@code out}; false (and {@code out} zero) for the all-zero result.
     * BouncyCastle's check runs over the whole output, in constant time.
     */
    boolean agreeInto(byte[] peer, byte[] out) {
        return X25519.calculateAgreement(secret, 0, peer, 0, out, 0);
    }

    @Override
    public String toString() {
        return "EcdhKey[" + publicKey.hex() + ", secret hidden]";
    }
}
