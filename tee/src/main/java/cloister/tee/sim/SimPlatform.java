package cloister.tee.sim;

import cloister.crypto.Sha256;
import cloister.tee.AttestationReport;
import cloister.tee.EnclavePlatform;
import cloister.tee.Evidence;
import cloister.tee.Measurement;
import cloister.tee.Platform;
import cloister.tee.SealingException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.function.LongSupplier;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code sim} TEE: a software stand-in with NO hardware protection — the host can read this "enclave"'s memory
 * and the sim root's private key is a file. It exists so everything around the TEE (attestation, key
 * distribution, sealing, encrypted I/O) is real code that runs unchanged on a real platform.
 *
 * <ul>
 *   <li>measurement = SHA-256("cloister/sim/measurement/v1" ‖ artifact digest ‖ version), see {@link #measure};
 *   <li>quotes are signed by the network's {@link SimAttestationRoot};
 *   <li>sealing: AES-256-GCM under HMAC-SHA256(platform secret, "cloister/sim/seal/v1" ‖ measurement), a fresh
 *       random 96-bit nonce per blob, the label as associated data. Blob = version u8 = 1 ‖ nonce ‖ ciphertext.
 * </ul>
 */
public final class SimPlatform implements EnclavePlatform {
    private static final byte[] MEASUREMENT_DOMAIN = "cloister/sim/measurement/v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEAL_DOMAIN = "cloister/sim/seal/v1".getBytes(StandardCharsets.US_ASCII);
    private static final int SEAL_VERSION = 1;
    private static final int NONCE = 12;

    private final SimAttestationRoot root;
    private final Measurement measurement;
    private final LongSupplier clock;
    private final SecureRandom random;
    private final SecretKeySpec sealingKey;

    /**
     * @param clock the simulated quoting enclave's clock (ms since the epoch), used only to date quotes
     */
    public SimPlatform(SimMachine machine, SimAttestationRoot root, Measurement measurement, LongSupplier clock,
                       SecureRandom random) {
        if (measurement.platform() != Platform.SIM) {
            throw new IllegalArgumentException("a sim platform runs sim measurements");
        }
        this.root = root;
        this.measurement = measurement;
        this.clock = clock;
        this.random = random;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(machine.secret(), "HmacSHA256"));
            mac.update(SEAL_DOMAIN);
            this.sealingKey = new SecretKeySpec(mac.doFinal(measurement.value()), "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** The sim measurement of a worker build: its artifact's SHA-256 digest and its version. */
    public static Measurement measure(byte[] artifactDigest, String version) {
        byte[] v = version.getBytes(StandardCharsets.UTF_8);
        return Measurement.of(Platform.SIM, Sha256.digest(ByteBuffer.allocate(MEASUREMENT_DOMAIN.length + artifactDigest.length + v.length)
                .put(MEASUREMENT_DOMAIN).put(artifactDigest).put(v).array()));
    }

    @Override
    public Platform platform() {
        return Platform.SIM;
    }

    @Override
    public Measurement measurement() {
        return measurement;
    }

    @Override
    public Evidence quote(byte[] reportData) {
        if (reportData.length > AttestationReport.REPORT_DATA_LENGTH) {
            throw new IllegalArgumentException("report data is at most 64 bytes");
        }
        byte[] padded = new byte[AttestationReport.REPORT_DATA_LENGTH];
        System.arraycopy(reportData, 0, padded, 0, reportData.length);
        long now = clock.getAsLong();
        byte[] signature = root.sign(SimQuote.body(measurement, padded, now));
        return new Evidence(Platform.SIM, new SimQuote(measurement, padded, now, signature).encode(), new byte[0]);
    }

    @Override
    public byte[] seal(String label, byte[] plaintext) {
        byte[] nonce = new byte[NONCE];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, sealingKey, new GCMParameterSpec(128, nonce));
            c.updateAAD(label.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(plaintext);
            return ByteBuffer.allocate(1 + NONCE + ct.length).put((byte) SEAL_VERSION).put(nonce).put(ct).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM sealing failed", e);
        }
    }

    @Override
    public byte[] unseal(String label, byte[] sealed) throws SealingException {
        if (sealed.length < 1 + NONCE + 16 || sealed[0] != SEAL_VERSION) {
            throw new SealingException("not a sealed blob (version or length)");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, sealingKey, new GCMParameterSpec(128, sealed, 1, NONCE));
            c.updateAAD(label.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(sealed, 1 + NONCE, sealed.length - 1 - NONCE);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new SealingException("sealed '" + label + "' does not open here: another measurement or machine, or altered");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unsealing failed", e);
        }
    }

    @Override
    public SecureRandom random() {
        return random;
    }

    @Override
    public String toString() {
        return "SimPlatform[" + measurement + "; " + Platform.SIM_WARNING + "]";
    }
}
