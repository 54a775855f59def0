package cloister.tee.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.tee.AttestationReport;
import cloister.tee.Evidence;
import cloister.tee.Measurement;
import cloister.tee.Platform;
import cloister.tee.QuoteRefusal;
import cloister.tee.QuoteVerification;
import cloister.tee.QuoteVerifier;
import cloister.tee.SealingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimPlatformTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long NOW = 1_800_000_000_000L;
    private static final long HOUR = 3_600_000L;

    private final SimAttestationRoot root = SimAttestationRoot.generate("test network", RANDOM);
    private final SimMachine machine = SimMachine.ephemeral(RANDOM);
    private final Measurement m1 = SimPlatform.measure(new byte[] {1, 2, 3}, "0.1.0");
    private final SimPlatform platform = new SimPlatform(machine, root, m1, () -> NOW, RANDOM);
    private final SimQuoteVerifier verifier = new SimQuoteVerifier(root.certificate(), HOUR, 60_000);

    @Test
    void measurementCoversArtifactAndVersion() {
        assertEquals(32, m1.value().length);
        assertNotEquals(m1, SimPlatform.measure(new byte[] {1, 2, 4}, "0.1.0"));
        assertNotEquals(m1, SimPlatform.measure(new byte[] {1, 2, 3}, "0.1.1"));
        assertEquals(m1, SimPlatform.measure(new byte[] {1, 2, 3}, "0.1.0"));
    }

    @Test
    void quoteVerifiesWithItsReportDataAndSaysSim() {
        byte[] reportData = "binding".getBytes(StandardCharsets.US_ASCII);
        QuoteVerification v = verifier.verify(platform.quote(reportData), NOW + 1000);
        AttestationReport r = assertInstanceOf(QuoteVerification.Verified.class, v).report();
        assertEquals(Platform.SIM, r.platform());
        assertEquals(m1, r.measurement());
        assertEquals("Simulated", r.tcbStatus());
        assertEquals(5, r.confidenceLevel());
        byte[] padded = new byte[64];
        System.arraycopy(reportData, 0, padded, 0, reportData.length);
        assertArrayEquals(padded, r.reportData());
        assertTrue(platform.toString().contains("NO hardware protection"));
    }

    @Test
    void quoteFromAnotherRootIsRefused() {
        SimAttestationRoot other = SimAttestationRoot.generate("attacker", RANDOM);
        Evidence forged = new SimPlatform(machine, other, m1, () -> NOW, RANDOM).quote(new byte[64]);
        assertRefused(QuoteRefusal.UNTRUSTED_ROOT, verifier.verify(forged, NOW));
    }

    @Test
    void everyFlippedBitIsRefused() {
        byte[] quote = platform.quote(new byte[64]).quote();
        for (int i = 0; i < quote.length; i++) {
            for (int bit = 0; bit < 8; bit += 3) {
                byte[] q = quote.clone();
                q[i] ^= (byte) (1 << bit);
                QuoteVerification v = verifier.verify(new Evidence(Platform.SIM, q, new byte[0]), NOW);
                assertInstanceOf(QuoteVerification.Refused.class, v, "byte " + i + " bit " + bit);
            }
        }
    }

    @Test
    void malformedAndStaleQuotesAreRefused() {
        assertRefused(QuoteRefusal.MALFORMED_QUOTE, verifier.verify(new Evidence(Platform.SIM, new byte[] {1, 1}, new byte[0]), NOW));
        assertRefused(QuoteRefusal.MALFORMED_QUOTE, verifier.verify(new Evidence(Platform.SIM, new byte[Evidence.MAX_QUOTE + 1], new byte[0]), NOW));
        Evidence e = platform.quote(new byte[64]);
        assertRefused(QuoteRefusal.STALE_QUOTE, verifier.verify(e, NOW + HOUR + 1));
        assertRefused(QuoteRefusal.STALE_QUOTE, verifier.verify(e, NOW - 60_001));
        assertInstanceOf(QuoteVerification.Verified.class, verifier.verify(e, NOW + HOUR));
    }

    @Test
    void dispatcherRefusesPlatformsWithoutVerifier() {
        QuoteVerifier v = QuoteVerifier.byPlatform(Map.of(Platform.SIM, verifier));
        assertRefused(QuoteRefusal.UNSUPPORTED_PLATFORM, v.verify(new Evidence(Platform.SGX, new byte[10], new byte[0]), NOW));
        assertInstanceOf(QuoteVerification.Verified.class, v.verify(platform.quote(new byte[1]), NOW));
    }

    @Test
    void sealedDataOpensOnlyForSameMeasurementMachineAndLabel() throws Exception {
        byte[] secret = "identity key".getBytes(StandardCharsets.US_ASCII);
        byte[] sealed = platform.seal("keys", secret);
        assertArrayEquals(secret, platform.unseal("keys", sealed));
        assertArrayEquals(secret, new SimPlatform(machine, root, m1, () -> NOW, RANDOM).unseal("keys", sealed));
        assertNotEquals(new String(platform.seal("keys", secret), StandardCharsets.ISO_8859_1),
                new String(sealed, StandardCharsets.ISO_8859_1), "fresh nonce per blob");
        assertThrows(SealingException.class, () -> platform.unseal("state", sealed));
        Measurement m2 = SimPlatform.measure(new byte[] {9}, "0.1.0");
        assertThrows(SealingException.class, () -> new SimPlatform(machine, root, m2, () -> NOW, RANDOM).unseal("keys", sealed));
        assertThrows(SealingException.class,
                () -> new SimPlatform(SimMachine.ephemeral(RANDOM), root, m1, () -> NOW, RANDOM).unseal("keys", sealed));
        byte[] tampered = sealed.clone();
        tampered[tampered.length - 1] ^= 1;
        SealingException e = assertThrows(SealingException.class, () -> platform.unseal("keys", tampered));
        assertTrue(!e.getMessage().contains("identity key"));
        assertThrows(SealingException.class, () -> platform.unseal("keys", new byte[3]));
    }

    @Test
    void rootAndMachinePersist(@TempDir Path dir) throws Exception {
        SimAttestationRoot a = SimAttestationRoot.loadOrCreate(dir.resolve("root"), "net");
        SimAttestationRoot b = SimAttestationRoot.loadOrCreate(dir.resolve("root"), "net");
        assertEquals(a.certificate(), b.certificate());
        assertEquals(a.certificate(), SimRootCertificate.decode(a.certificate().encode()));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("root").resolve(SimAttestationRoot.KEY_FILE))));
        SimMachine m = SimMachine.loadOrCreate(dir.resolve("machine"));
        byte[] sealed = new SimPlatform(m, a, m1, () -> NOW, RANDOM).seal("x", new byte[] {7});
        SimMachine again = SimMachine.loadOrCreate(dir.resolve("machine"));
        assertArrayEquals(new byte[] {7}, new SimPlatform(again, b, m1, () -> NOW, RANDOM).unseal("x", sealed));
        byte[] cert = a.certificate().encode();
        cert[cert.length - 5] ^= 1;
        assertThrows(RuntimeException.class, () -> SimRootCertificate.decode(cert));
    }

    private static void assertRefused(QuoteRefusal expected, QuoteVerification v) {
        assertEquals(expected, assertInstanceOf(QuoteVerification.Refused.class, v).reason(), v.toString());
    }
}
