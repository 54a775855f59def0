package cloister.crypto;

import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint;

/**
 * Ed25519 (RFC 8032, pure) with BouncyCastle's low-level implementation: measured here at ~17 k verifies/s per
 * core against 7.7 k for Tink and 2.2 k for the JDK. Verification rejects non-canonical S (no malleability).
 *
 * <p>Decoded public points are cached by key bytes (bounded): transactions of a known account then skip the point
 * decompression. Keys are validated as BouncyCastle's own {@code Ed25519PublicKeyParameters} does
 * ({@code validatePublicKeyPartialExport}: a canonical encoding of a curve point, not the neutral element), so
 * caching changes speed only, never a verdict.
 */
public final class Ed25519 {
    public static final int SIGNATURE_LENGTH = 64;
    public static final int SEED_LENGTH = 32;
    private static final int POINT_CACHE_CAPACITY = 200_000;
    private static final Object INVALID = new Object();
    private static final ConcurrentHashMap<AccountId, Object> POINTS = new ConcurrentHashMap<>();

    private Ed25519() {}

    public static boolean verify(AccountId signer, byte[] message, byte[] signature) {
        if (signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        Object cached = signer.verifierCache();
        if (cached == null) {
            cached = POINTS.get(signer);
            if (cached == null) {
                PublicPoint decoded = org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyPartialExport(signer.raw(), 0);
                cached = decoded == null ? INVALID : decoded;
                if (POINTS.size() >= POINT_CACHE_CAPACITY) {
                    POINTS.clear();
                }
                POINTS.put(signer, cached);
            }
            signer.verifierCache(cached);
        }
        if (!(cached instanceof PublicPoint point)) {
            return false;
        }
        return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, point, message, 0, message.length);
    }

    static byte[] publicKey(byte[] seed) {
        byte[] pk = new byte[AccountId.LENGTH];
        org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, pk, 0);
        return pk;
    }

    static byte[] sign(byte[] seed, byte[] publicKey, byte[] message) {
        byte[] sig = new byte[SIGNATURE_LENGTH];
        org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length, sig, 0);
        return sig;
    }

    static byte[] randomSeed(SecureRandom random) {
        byte[] seed = new byte[SEED_LENGTH];
        random.nextBytes(seed);
        return seed;
    }
}
