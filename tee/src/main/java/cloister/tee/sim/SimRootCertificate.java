package cloister.tee.sim;

import cloister.common.Hash;
import cloister.crypto.Sha256;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.MalformedException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;

/**
 * The public half of a network's simulated attestation root: what genesis pins and what sim quotes chain to.
 * Encoding (docs/tee.md): version u8 = 1, subject string, P-256 public key as X.509 SubjectPublicKeyInfo DER
 * (bytes), ECDSA-SHA256 self-signature (bytes, DER) over everything before it. Not X.509: nothing but Cloister
 * reads it, and a dozen lines of canonical codec are easier to audit than an ASN.1 certificate builder.
 */
public final class SimRootCertificate {
    private static final int VERSION = 1;

    private final String subject;
    private final byte[] publicKeyDer;
    private final byte[] signature;
    private final PublicKey publicKey;

    SimRootCertificate(String subject, byte[] publicKeyDer, byte[] signature) {
        this.subject = subject;
        this.publicKeyDer = publicKeyDer.clone();
        this.signature = signature.clone();
        try {
            this.publicKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(publicKeyDer));
        } catch (GeneralSecurityException e) {
            throw new MalformedException("sim root certificate: not a P-256 public key");
        }
    }

    static byte[] toBeSigned(String subject, byte[] publicKeyDer) {
        return new CanonicalWriter(128).u8(VERSION).string(subject).bytes(publicKeyDer).toByteArray();
    }

    public String subject() {
        return subject;
    }

    PublicKey publicKey() {
        return publicKey;
    }

    /** Identifies this root (SHA-256 of its encoding): shown by the CLI so operators can compare. */
    public Hash fingerprint() {
        return Sha256.hash(encode());
    }

    public byte[] encode() {
        return new CanonicalWriter(256).u8(VERSION).string(subject).bytes(publicKeyDer).bytes(signature).toByteArray();
    }

    /** Parses and checks the self-signature. */
    public static SimRootCertificate decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        int version = r.u8("sim root version");
        if (version != VERSION) {
            throw new MalformedException("unsupported sim root certificate version " + version);
        }
        String subject = r.string(256, "subject");
        byte[] key = r.bytes(512, "public key");
        byte[] sig = r.bytes(128, "self-signature");
        r.end("sim root certificate");
        SimRootCertificate cert = new SimRootCertificate(subject, key, sig);
        if (!cert.verify(toBeSigned(subject, key), sig)) {
            throw new MalformedException("sim root certificate: self-signature does not verify");
        }
        return cert;
    }

    boolean verify(byte[] message, byte[] derSignature) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(publicKey);
            s.update(message);
            return s.verify(derSignature);
        } catch (GeneralSecurityException e) {
            return false; // a malformed DER signature is a bad signature, not a bug
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SimRootCertificate c && java.util.Arrays.equals(c.encode(), encode());
    }

    @Override
    public int hashCode() {
        return fingerprint().hashCode();
    }

    @Override
    public String toString() {
        return "SimRootCertificate[" + subject + ", " + fingerprint().shortHex() + "]";
    }
}
