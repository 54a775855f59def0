package cloister.tee.sim;

import cloister.common.OwnerOnlyFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;

/**
 * A network's simulated attestation root: the stand-in for Intel's attestation key hierarchy. A P-256 key pair
 * generated per network; its {@link SimRootCertificate} goes into genesis, its private key stays on the machine
 * that simulates the hardware (files {@code sim-root.key}, mode 600, and {@code sim-root.cert}). Whoever holds the
 * private key can forge any sim quote — which is exactly why {@code sim} gives no protection.
 */
public final class SimAttestationRoot {
    static final String KEY_FILE = "sim-root.key";
    static final String CERT_FILE = "sim-root.cert";

    private final PrivateKey privateKey;
    private final SimRootCertificate certificate;

    private SimAttestationRoot(PrivateKey privateKey, SimRootCertificate certificate) {
        this.privateKey = privateKey;
        this.certificate = certificate;
    }

    public static SimAttestationRoot generate(String subject, SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair kp = g.generateKeyPair();
            byte[] spki = kp.getPublic().getEncoded();
            byte[] sig = sign(kp.getPrivate(), SimRootCertificate.toBeSigned(subject, spki));
            return new SimAttestationRoot(kp.getPrivate(), new SimRootCertificate(subject, spki, sig));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 is not available in this JDK", e);
        }
    }

    /** Loads the root from {@code dir}, or generates and saves one if the directory holds none. */
    public static SimAttestationRoot loadOrCreate(Path dir, String subject) {
        try {
            if (Files.exists(dir.resolve(KEY_FILE))) {
                return load(dir);
            }
            SimAttestationRoot root = generate(subject, new SecureRandom());
            Files.createDirectories(dir);
            Files.write(dir.resolve(CERT_FILE), root.certificate.encode());
            OwnerOnlyFiles.create(dir.resolve(KEY_FILE), root.privateKey.getEncoded());
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the sim attestation root in " + dir, e);
        }
    }

    public static SimAttestationRoot load(Path dir) throws IOException {
        byte[] cert = Files.readAllBytes(dir.resolve(CERT_FILE));
        byte[] key = Files.readAllBytes(dir.resolve(KEY_FILE));
        try {
            PrivateKey pk = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(key));
            return new SimAttestationRoot(pk, SimRootCertificate.decode(cert));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException("not a sim attestation root: " + dir);
        }
    }

    public SimRootCertificate certificate() {
        return certificate;
    }

    byte[] sign(byte[] message) {
        try {
            return sign(privateKey, message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ECDSA signing failed", e);
        }
    }

    private static byte[] sign(PrivateKey key, byte[] message) throws GeneralSecurityException {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(key);
        s.update(message);
        return s.sign();
    }

    @Override
    public String toString() {
        return "SimAttestationRoot[" + certificate + ", private key hidden]";
    }
}
