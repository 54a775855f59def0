package cloister.tee.dcap;

import java.io.IOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;

/**
 * ECDSA over P-256 with SHA-256, in the raw forms quotes and collateral use: keys as the 64-byte {@code x ‖ y}, and
 * signatures as the 64-byte {@code r ‖ s}, which the JDK wants DER-encoded.
 */
final class EcdsaP256 {
    private static final ECParameterSpec P256 = p256();
    private static final BigInteger P = ((ECFieldFp) P256.getCurve().getField()).getP();

    private EcdsaP256() {}

    /** The point {@code x ‖ y} (big-endian, 32 bytes each) as a key, or empty if it is not on P-256. */
    static Optional<PublicKey> publicKey(byte[] xy) {
        if (xy.length != 64) {
            return Optional.empty();
        }
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(xy, 0, 32));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(xy, 32, 64));
        if (x.compareTo(P) >= 0 || y.compareTo(P) >= 0) {
            return Optional.empty();
        }
        // y² = x³ + ax + b (mod p): the JDK's key factory does not check that a point is on the curve.
        BigInteger lhs = y.multiply(y).mod(P);
        BigInteger rhs = x.pow(3).add(P256.getCurve().getA().multiply(x)).add(P256.getCurve().getB()).mod(P);
        if (!lhs.equals(rhs)) {
            return Optional.empty();
        }
        try {
            return Optional.of(KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), P256)));
        } catch (GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    /** Verifies a raw {@code r ‖ s} signature; false for any malformed key or signature. */
    static boolean verify(PublicKey key, byte[] data, byte[] rawSignature) {
        if (rawSignature.length != 64) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(key);
            verifier.update(data);
            return verifier.verify(toDer(rawSignature));
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@code r ‖ s} to the DER {@code SEQUENCE { INTEGER r, INTEGER s }} that X.509 and the JDK use. */
    static byte[] toDer(byte[] rawSignature) throws IOException {
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(rawSignature, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(rawSignature, 32, 64));
        return new DERSequence(new ASN1Encodable[] {new ASN1Integer(r), new ASN1Integer(s)}).getEncoded();
    }

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec("secp256r1"));
            return params.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has the P-256 curve", e);
        }
    }
}
