package cloister.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hex;
import cloister.crypto.Hpke.Suite;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.hpke.HPKEContext;
import org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RFC 9180 Appendix A.1.1 (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode), typed in from the RFC;
 * Cloister's AES-256-GCM suite cross-checked against BouncyCastle's independent {@code HPKE}; and the refusals.
 */
class HpkeTest {
    // ---- RFC 9180 A.1.1 ----
    private static final byte[] INFO = Hex.decode("4f6465206f6e2061204772656369616e2055726e"); // "Ode on a Grecian Urn"
    private static final byte[] IKM_E = Hex.decode("7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234");
    private static final String PK_EM = "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431";
    private static final String SK_EM = "52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736";
    private static final byte[] IKM_R = Hex.decode("6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037");
    private static final String PK_RM = "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d";
    private static final String SK_RM = "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8";
    private static final String SHARED_SECRET = "fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc";
    private static final String KEY = "4531685d41d65f03dc48f6b8302c05b0";
    private static final String BASE_NONCE = "56d890e5accaaf011cff4b7d";
    private static final String EXPORTER_SECRET = "45ff1c2e220db587171952c0592d5f5ebe103f1561a2614e38f2ffd47e99e3f8";
    private static final byte[] PT = Hex.decode("4265617574792069732074727574682c20747275746820626561757479"); // "Beauty is truth, truth beauty"

    record Encryption(long seq, String aad, String nonce, String ct) {}

    private static final Encryption[] ENCRYPTIONS = {
        new Encryption(0, "436f756e742d30", "56d890e5accaaf011cff4b7d",
                "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a"),
        new Encryption(1, "436f756e742d31", "56d890e5accaaf011cff4b7c",
                "af2d7e9ac9ae7e270f46ba1f975be53c09f8d875bdc8535458c2494e8a6eab251c03d0c22a56b8ca42c2063b84"),
        new Encryption(2, "436f756e742d32", "56d890e5accaaf011cff4b7f",
                "498dfcabd92e8acedc281e85af1cb4e3e31c7dc394a1ca20e173cb72516491588d96a19ad4a683518973dcc180"),
        new Encryption(4, "436f756e742d34", "56d890e5accaaf011cff4b79",
                "583bd32bc67a5994bb8ceaca813d369bca7b2a42408cddef5e22f880b631215a09fc0012bc69fccaa251c0246d"),
        new Encryption(255, "436f756e742d323535", "56d890e5accaaf011cff4b82",
                "7175db9717964058640a3a11fb9007941a5d1757fda1a6935c805c21af32505bf106deefec4a49ac38d71c9e0a"),
        new Encryption(256, "436f756e742d323536", "56d890e5accaaf011cff4a7d",
                "957f9800542b0b8891badb026d79cc54597cb2d225b54c00c5238c25d05c30e3fbeda97d2e0e1aba483a2df9f2"),
    };

    private static final String[][] EXPORTS = { // exporter_context, L = 32, exported_value
        {"", "3853fe2b4035195a573ffc53856e77058e15d9ea064de3e59f4961d0095250ee"},
        {"00", "2e8f0b54673c7029649d4eb9d5e33bf1872cf76d623ff164ac185da9e88c21a5"},
        {"54657374436f6e74657874", "e9e43065102c3836401bed8c3c3c75ae46be1639869391d62c61f1ec7af54931"},
    };

    private static final Suite A1 = Suite.X25519_SHA256_AES128GCM;
    private static final SecureRandom RANDOM = new SecureRandom();

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // ---- RFC 9180 A.1.1 vectors ----

    /**
     * RFC 7748's decodeScalar25519 bit operations. The appendix lists DeriveKeyPair's raw output (skEm, skRm are
     * unclamped), while §7.1.2 says a serialized private key MUST be clamped, as EcdhKey.secret() and
     * BouncyCastle's serializePrivateKey do. Same key either way.
     */
    private static String clamped(String sk) {
        byte[] k = Hex.decode(sk);
        k[0] &= (byte) 0xf8;
        k[31] &= 0x7f;
        k[31] |= 0x40;
        return Hex.encode(k);
    }

    @Test
    void deriveKeyPairGivesTheVectorsKeys() {
        EcdhKey e = Hpke.deriveKeyPair(IKM_E);
        EcdhKey r = Hpke.deriveKeyPair(IKM_R);
        assertEquals(PK_EM, e.publicKey().hex());
        assertEquals(PK_RM, r.publicKey().hex());
        assertEquals(clamped(SK_EM), Hex.encode(e.secret(SecretAccess.insecure())));
        assertEquals(clamped(SK_RM), Hex.encode(r.secret(SecretAccess.insecure())));
        assertEquals(PK_RM, EcdhKey.fromSecret(Hex.decode(SK_RM)).publicKey().hex(), "the unclamped listing is the same key");
        assertThrows(IllegalArgumentException.class, () -> Hpke.deriveKeyPair(new byte[31]));
    }

    @Test
    void kemSharedSecretMatches() {
        EcdhKey e = EcdhKey.fromSecret(Hex.decode(SK_EM));
        byte[] dh = e.agree(X25519PublicKey.parse(PK_RM)).orElseThrow();
        assertEquals(SHARED_SECRET, Hex.encode(Hpke.extractAndExpand(dh, Hex.decode(PK_EM), Hex.decode(PK_RM))));
    }

    @Test
    void keyScheduleMatchesOnBothSides() throws HpkeException {
        Hpke.Sender s = Hpke.sender(A1, X25519PublicKey.parse(PK_RM), INFO, Hpke.deriveKeyPair(IKM_E));
        assertEquals(PK_EM, Hex.encode(s.enc()), "enc is the ephemeral public key");
        Hpke.Receiver r = Hpke.receiver(A1, EcdhKey.fromSecret(Hex.decode(SK_RM)), s.enc(), INFO);
        for (Hpke.Context c : new Hpke.Context[] {s, r}) {
            assertEquals(KEY, Hex.encode(c.key()));
            assertEquals(BASE_NONCE, Hex.encode(c.baseNonce()));
            assertEquals(EXPORTER_SECRET, Hex.encode(c.exporterSecret()));
        }
    }

    @Test
    void encryptionsMatch() throws HpkeException {
        Hpke.Sender s = Hpke.sender(A1, X25519PublicKey.parse(PK_RM), INFO, Hpke.deriveKeyPair(IKM_E));
        Hpke.Receiver r = Hpke.receiver(A1, Hpke.deriveKeyPair(IKM_R), Hex.decode(PK_EM), INFO);
        byte[] nonce = new byte[Hpke.NONCE_LENGTH];
        for (Encryption v : ENCRYPTIONS) {
            s.computeNonce(v.seq(), nonce);
            assertEquals(v.nonce(), Hex.encode(nonce), "nonce of seq " + v.seq());
            s.seek(v.seq());
            assertEquals(v.ct(), Hex.encode(s.seal(Hex.decode(v.aad()), PT)), "ciphertext of seq " + v.seq());
            assertEquals(v.seq() + 1, s.sequence());
            r.seek(v.seq());
            assertArrayEquals(PT, r.open(Hex.decode(v.aad()), Hex.decode(v.ct())), "plaintext of seq " + v.seq());
            assertEquals(v.seq() + 1, r.sequence());
        }
    }

    @Test
    void encryptionsMatchInOneSequentialContext() throws HpkeException {
        // The same vectors reached by sealing every message in between, as a real stream would.
        Hpke.Sender s = Hpke.sender(A1, X25519PublicKey.parse(PK_RM), INFO, Hpke.deriveKeyPair(IKM_E));
        Hpke.Receiver r = Hpke.receiver(A1, Hpke.deriveKeyPair(IKM_R), s.enc(), INFO);
        int next = 0;
        for (long seq = 0; seq <= 256; seq++) {
            byte[] aad = ascii("Count-" + seq);
            byte[] ct = s.seal(aad, PT);
            assertArrayEquals(PT, r.open(aad, ct));
            if (next < ENCRYPTIONS.length && ENCRYPTIONS[next].seq() == seq) {
                assertEquals(ENCRYPTIONS[next].aad(), Hex.encode(aad));
                assertEquals(ENCRYPTIONS[next].ct(), Hex.encode(ct));
                next++;
            }
        }
        assertEquals(ENCRYPTIONS.length, next);
    }

    @Test
    void exportsMatchOnBothSides() throws HpkeException {
        Hpke.Sender s = Hpke.sender(A1, X25519PublicKey.parse(PK_RM), INFO, Hpke.deriveKeyPair(IKM_E));
        Hpke.Receiver r = Hpke.receiver(A1, Hpke.deriveKeyPair(IKM_R), s.enc(), INFO);
        for (String[] v : EXPORTS) {
            assertEquals(v[1], Hex.encode(s.export(Hex.decode(v[0]), 32)), "sender export of '" + v[0] + "'");
            assertEquals(v[1], Hex.encode(r.export(Hex.decode(v[0]), 32)), "receiver export of '" + v[0] + "'");
        }
    }

    // ---- AES-256-GCM (and AES-128-GCM) against BouncyCastle's HPKE ----

    private static HPKE bouncyCastle(Suite suite) {
        short aead = suite == Suite.X25519_SHA256_AES256GCM ? HPKE.aead_AES_GCM256 : HPKE.aead_AES_GCM128;
        return new HPKE(HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, aead);
    }

    @ParameterizedTest
    @EnumSource(Suite.class)
    void deterministicOutputsEqualBouncyCastles(Suite suite) throws Exception {
        HPKE bc = bouncyCastle(suite);
        AsymmetricCipherKeyPair bcR = bc.deriveKeyPair(IKM_R);
        EcdhKey ours = Hpke.deriveKeyPair(IKM_R);
        assertArrayEquals(bc.serializePublicKey(bcR.getPublic()), ours.publicKey().bytes());
        assertArrayEquals(bc.serializePrivateKey(bcR.getPrivate()), ours.secret(SecretAccess.insecure()));

        byte[] info = ascii("cloister/query v1");
        HPKEContextWithEncapsulation bcS = bc.setupBaseS(bcR.getPublic(), info, bc.deriveKeyPair(IKM_E));
        Hpke.Sender s = Hpke.sender(suite, ours.publicKey(), info, Hpke.deriveKeyPair(IKM_E));
        assertArrayEquals(bcS.getEncapsulation(), s.enc());
        for (int i = 0; i < 20; i++) {
            byte[] aad = ascii("message " + i);
            byte[] pt = new byte[i * 37];
            RANDOM.nextBytes(pt);
            assertArrayEquals(bcS.seal(aad, pt), s.seal(aad, pt), "ciphertext " + i);
        }
        for (String label : new String[] {"", "response key", "response nonce"}) {
            for (int length : new int[] {1, 12, 32, 100}) {
                assertArrayEquals(bcS.export(ascii(label), length), s.export(ascii(label), length), label + "/" + length);
            }
        }
        if (suite == Suite.X25519_SHA256_AES256GCM) {
            assertEquals(32, s.key().length, "AES-256");
        }
    }

    @ParameterizedTest
    @EnumSource(Suite.class)
    void oursAndBouncyCastleOpenEachOthersMessages(Suite suite) throws Exception {
        HPKE bc = bouncyCastle(suite);
        for (int i = 0; i < 10; i++) {
            EcdhKey k = EcdhKey.generate(RANDOM);
            AsymmetricCipherKeyPair bcK = bc.deserializePrivateKey(k.secret(SecretAccess.insecure()), k.publicKey().bytes());
            byte[] info = ascii("info " + i);
            byte[] aad = ascii("aad " + i);
            byte[] pt = new byte[RANDOM.nextInt(2000)];
            RANDOM.nextBytes(pt);

            Hpke.SealedAndExported ours = Hpke.sealAndExport(suite, k.publicKey(), info, aad, pt, ascii("response key"), 32);
            HPKEContext bcR = bc.setupBaseR(ours.sealed().enc(), bcK, info);
            assertArrayEquals(pt, bcR.open(aad, ours.sealed().ciphertext()), "BouncyCastle opens ours");
            assertArrayEquals(ours.exportedSecret(), bcR.export(ascii("response key"), 32));

            HPKEContextWithEncapsulation bcS = bc.setupBaseS(bc.deserializePublicKey(k.publicKey().bytes()), info);
            byte[] ct = bcS.seal(aad, pt);
            Hpke.OpenedAndExported opened = Hpke.openAndExport(suite, k, bcS.getEncapsulation(), info, aad, ct,
                    ascii("response key"), 32);
            assertArrayEquals(pt, opened.plaintext(), "we open BouncyCastle's");
            assertArrayEquals(bcS.export(ascii("response key"), 32), opened.exportedSecret());
        }
    }

    // ---- round trips ----

    @ParameterizedTest
    @EnumSource(Suite.class)
    void roundTripsOverRandomSizes(Suite suite) throws HpkeException {
        Random sizes = new Random(9180);
        EcdhKey k = EcdhKey.generate(RANDOM);
        int[] edges = {0, 1, 15, 16, 17, 255, 256, 65535, 65536};
        for (int i = 0; i < 60; i++) {
            int n = i < edges.length ? edges[i] : sizes.nextInt(65537);
            byte[] pt = new byte[n];
            RANDOM.nextBytes(pt);
            byte[] info = new byte[sizes.nextInt(64)];
            byte[] aad = new byte[sizes.nextInt(300)];
            RANDOM.nextBytes(info);
            RANDOM.nextBytes(aad);
            Hpke.Sealed sealed = Hpke.seal(suite, k.publicKey(), info, aad, pt);
            assertEquals(Hpke.ENC_LENGTH, sealed.enc().length);
            assertEquals(n + Hpke.TAG_LENGTH, sealed.ciphertext().length, "size " + n);
            assertArrayEquals(pt, Hpke.open(suite, k, sealed.enc(), info, aad, sealed.ciphertext()), "size " + n);
            Hpke.Sealed decoded = Hpke.Sealed.decode(sealed.encode());
            assertEquals(sealed, decoded);
            assertArrayEquals(pt, Hpke.open(suite, k, decoded, info, aad), "size " + n + " through the wire format");
        }
    }

    @Test
    void everySealUsesAFreshEphemeralKey() {
        EcdhKey k = EcdhKey.generate(RANDOM);
        Hpke.Sealed a = Hpke.seal(Suite.CLOISTER, k.publicKey(), INFO, new byte[0], PT);
        Hpke.Sealed b = Hpke.seal(Suite.CLOISTER, k.publicKey(), INFO, new byte[0], PT);
        assertFalse(Arrays.equals(a.enc(), b.enc()));
        assertFalse(Arrays.equals(a.ciphertext(), b.ciphertext()));
    }

    @Test
    void suitesCarryTheirIdentifiers() {
        assertEquals(Suite.X25519_SHA256_AES256GCM, Suite.CLOISTER);
        for (Suite s : Suite.values()) {
            assertEquals(0x0020, s.kemId());
            assertEquals(0x0001, s.kdfId());
        }
        assertEquals(0x0001, Suite.X25519_SHA256_AES128GCM.aeadId());
        assertEquals(16, Suite.X25519_SHA256_AES128GCM.keyLength());
        assertEquals(0x0002, Suite.X25519_SHA256_AES256GCM.aeadId());
        assertEquals(32, Suite.X25519_SHA256_AES256GCM.keyLength());
    }

    // ---- refusals ----

    private static HpkeException.Reason refusal(Executable e) {
        return assertThrows(HpkeException.class, e::run).reason();
    }

    private interface Executable {
        void run() throws Throwable;
    }

    @Test
    void everyAlteredCiphertextByteIsRefused() throws HpkeException {
        EcdhKey k = EcdhKey.generate(RANDOM);
        Hpke.Sealed s = Hpke.seal(Suite.CLOISTER, k.publicKey(), INFO, INFO, PT);
        for (int i = 0; i < s.ciphertext().length; i++) {
            for (int bit = 0; bit < 8; bit += 7) {
                byte[] ct = s.ciphertext().clone();
                ct[i] ^= (byte) (1 << bit);
                assertEquals(HpkeException.Reason.NOT_AUTHENTIC,
                        refusal(() -> Hpke.open(Suite.CLOISTER, k, s.enc(), INFO, INFO, ct)), "byte " + i + " bit " + bit);
            }
        }
        byte[] truncated = Arrays.copyOf(s.ciphertext(), s.ciphertext().length - 1);
        assertEquals(HpkeException.Reason.NOT_AUTHENTIC, refusal(() -> Hpke.open(Suite.CLOISTER, k, s.enc(), INFO, INFO, truncated)));
        byte[] extended = Arrays.copyOf(s.ciphertext(), s.ciphertext().length + 1);
        assertEquals(HpkeException.Reason.NOT_AUTHENTIC, refusal(() -> Hpke.open(Suite.CLOISTER, k, s.enc(), INFO, INFO, extended)));
        assertEquals(HpkeException.Reason.MALFORMED, refusal(() -> Hpke.open(Suite.CLOISTER, k, s.enc(), INFO, INFO, new byte[15])));
        assertArrayEquals(PT, Hpke.open(Suite.CLOISTER, k, s.enc(), INFO, INFO, s.ciphertext()), "the original still opens");
    }

    @Test
    void everyAlteredEncIsRefused() {
        EcdhKey k = EcdhKey.generate(RANDOM);
        Hpke.Sealed s = Hpke.seal(Suite.CLOISTER, k.publicKey(), INFO, INFO, PT);
        for (int i = 0; i < Hpke.ENC_LENGTH; i++) {
            byte[] enc = s.enc().clone();
            enc[i] ^= 1;
            HpkeException.Reason r = refusal(() -> Hpke.open(Suite.CLOISTER, k, enc, INFO, INFO, s.ciphertext()));
            assertTrue(Set.of(HpkeException.Reason.NOT_AUTHENTIC, HpkeException.Reason.INVALID_ENCAPSULATION).contains(r), r.name());
        }
        // X25519 ignores the top bit of a u-coordinate, so this enc gives the same Diffie-Hellman output; the KEM
        // still refuses it because the shared secret binds the enc bytes themselves (kem_context = enc || pkRm).
        byte[] enc = s.enc().clone();
        enc[31] ^= (byte) 0x80;
        assertArrayEquals(k.agree(X25519PublicKey.of(s.enc())).orElseThrow(), k.agree(X25519PublicKey.of(enc)).orElseThrow());
        assertEquals(HpkeException.Reason.NOT_AUTHENTIC, refusal(() -> Hpke.open(Suite.CLOISTER, k, enc, INFO, INFO, s.ciphertext())));
    }

    @Test
    void malformedOrLowOrderEncIsRefused() {
        EcdhKey k = EcdhKey.generate(RANDOM);
        Hpke.Sealed s = Hpke.seal(Suite.CLOISTER, k.publicKey(), INFO, INFO, PT);
        assertEquals(HpkeException.Reason.MALFORMED, refusal(() -> Hpke.open(Suite.CLOISTER, k, new byte[31], INFO, INFO, s.ciphertext())));
        assertEquals(HpkeException.Reason.MALFORMED, refusal(() -> Hpke.open(Suite.CLOISTER, k, new byte[33], INFO, INFO, s.ciphertext())));
        assertEquals(HpkeException.Reason.INVALID_ENCAPSULATION,
                refusal(() -> Hpke.open(Suite.CLOISTER, k, new byte[32], INFO, INFO, s.ciphertext())));
        byte[] one = new byte[32];
        one[0] = 1;
        assertEquals(HpkeException.Reason.INVALID_ENCAPSULATION, refusal(() -> Hpke.receiver(Suite.CLOISTER, k, one, INFO)));
    }

    @Test
    void lowOrderRecipientKeyIsRefusedWhenSealing() {
        assertThrows(IllegalArgumentException.class,
                () -> Hpke.seal(Suite.CLOISTER, X25519PublicKey.of(new byte[32]), INFO, INFO, PT));
        assertThrows(IllegalArgumentException.class, () -> Hpke.sender(Suite.CLOISTER,
                X25519PublicKey.parse("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"), INFO));
    }

    @Test
    void alteredAadOrInfoIsRefused() {
        EcdhKey k = EcdhKey.generate(RANDOM);
        byte[] aad = ascii("job 42, chunk 7");
        Hpke.Sealed s = Hpke.seal(Suite.CLOISTER, k.publicKey(), INFO, aad, PT);
        byte[] aad2 = aad.clone();
        aad2[3] ^= 1;
        byte[] info2 = INFO.clone();
        info2[0] ^= 1;
        assertEquals(HpkeException.Reason.NOT_AUTHENTIC, refusal(() -> Hpke.open(Suite.CLOISTER, k, s.enc(), INFO, aad2, s.ciphertext())));
        assertEquals(HpkeException.Reason.NOT_AUTHENTIC, refusal(() -> Hpke.open(Suite.CLOISTER, k, s.enc(), INFO, new byte[0], s.ciphertext())));
        assertEquals(HpkeException.Reason.NOT_AUTHENTIC, refusal(() -> Hpke.open(Suite.CLOISTER, k, s.enc(), info2, aad, s.ciphertext())));
        assertEquals(HpkeException.Reason.NOT_AUTHENTIC, refusal(() -> Hpke.open(Suite.CLOISTER, k, s.enc(), new byte[0], aad, s.ciphertext())));
    }

    @Test
    void wrongRecipientOrSuiteIsRefused() {
        EcdhKey k = EcdhKey.generate(RANDOM);
        EcdhKey other = EcdhKey.generate(RANDOM);
        Hpke.Sealed s = Hpke.seal(Suite.CLOISTER, k.publicKey(), INFO, INFO, PT);
        assertEquals(HpkeException.Reason.NOT_AUTHENTIC, refusal(() -> Hpke.open(Suite.CLOISTER, other, s, INFO, INFO)));
        assertEquals(HpkeException.Reason.NOT_AUTHENTIC, refusal(() -> Hpke.open(Suite.X25519_SHA256_AES128GCM, k, s, INFO, INFO)));
    }

    @Test
    void everyAlteredWireByteIsRefused() throws HpkeException {
        EcdhKey k = EcdhKey.generate(RANDOM);
        byte[] wire = Hpke.seal(Suite.CLOISTER, k.publicKey(), INFO, INFO, PT).encode();
        assertEquals(Hpke.ENC_LENGTH + PT.length + Hpke.TAG_LENGTH, wire.length);
        assertArrayEquals(PT, Hpke.open(Suite.CLOISTER, k, Hpke.Sealed.decode(wire), INFO, INFO));
        for (int i = 0; i < wire.length; i++) {
            byte[] w = wire.clone();
            w[i] ^= 0x10;
            assertThrows(HpkeException.class, () -> Hpke.open(Suite.CLOISTER, k, Hpke.Sealed.decode(w), INFO, INFO), "byte " + i);
        }
        assertEquals(HpkeException.Reason.MALFORMED, refusal(() -> Hpke.Sealed.decode(new byte[47])));
        assertEquals(HpkeException.Reason.MALFORMED, refusal(() -> Hpke.Sealed.decode(new byte[0])));
        // 48 bytes is the shortest valid message: the empty plaintext.
        byte[] empty = Hpke.seal(Suite.CLOISTER, k.publicKey(), INFO, INFO, new byte[0]).encode();
        assertEquals(48, empty.length);
        assertArrayEquals(new byte[0], Hpke.open(Suite.CLOISTER, k, Hpke.Sealed.decode(empty), INFO, INFO));
    }

    @Test
    void refusalsNeverCarrySecretsOrPlaintext() throws Exception {
        EcdhKey k = EcdhKey.generate(RANDOM);
        Hpke.SealedAndExported s = Hpke.sealAndExport(Suite.CLOISTER, k.publicKey(), INFO, INFO, PT, INFO, 32);
        byte[] ct = s.sealed().ciphertext().clone();
        ct[0] ^= 1;
        HpkeException e = assertThrows(HpkeException.class, () -> Hpke.open(Suite.CLOISTER, k, s.sealed().enc(), INFO, INFO, ct));
        String secretHex = Hex.encode(k.secret(SecretAccess.insecure()));
        for (String text : new String[] {e.getMessage(), e.toString(), s.toString(), Hpke.sender(Suite.CLOISTER, k.publicKey(), INFO).toString(),
            Hpke.openAndExport(Suite.CLOISTER, k, s.sealed().enc(), INFO, INFO, s.sealed().ciphertext(), INFO, 32).toString()}) {
            assertFalse(text.contains(secretHex), text);
            assertFalse(text.contains(Hex.encode(PT).substring(0, 16)), text);
            assertFalse(text.contains(new String(PT, StandardCharsets.US_ASCII).substring(0, 10)), text);
            assertFalse(text.contains(Hex.encode(s.exportedSecret()).substring(0, 16)), text);
        }
    }

    // ---- contexts ----

    @Test
    void contextsCarryAnOrderedStream() throws HpkeException {
        EcdhKey k = EcdhKey.generate(RANDOM);
        Hpke.Sender s = Hpke.sender(Suite.CLOISTER, k.publicKey(), INFO);
        byte[][] cts = new byte[5][];
        for (int i = 0; i < cts.length; i++) {
            cts[i] = s.seal(ascii("chunk " + i), ascii("payload " + i));
        }
        assertEquals(5, s.sequence());
        Hpke.Receiver r = Hpke.receiver(Suite.CLOISTER, k, s.enc(), INFO);
        assertArrayEquals(ascii("payload 0"), r.open(ascii("chunk 0"), cts[0]));
        // Skipping a message (or replaying one) is refused, and a refusal does not advance the context.
        assertEquals(HpkeException.Reason.NOT_AUTHENTIC, refusal(() -> r.open(ascii("chunk 2"), cts[2])));
        assertEquals(HpkeException.Reason.NOT_AUTHENTIC, refusal(() -> r.open(ascii("chunk 0"), cts[0])));
        assertEquals(1, r.sequence());
        for (int i = 1; i < cts.length; i++) {
            assertArrayEquals(ascii("payload " + i), r.open(ascii("chunk " + i), cts[i]));
        }
        assertEquals(5, r.sequence());
    }

    @Test
    void sequenceOverflowIsRefused() throws HpkeException {
        EcdhKey k = EcdhKey.generate(RANDOM);
        Hpke.Sender s = Hpke.sender(Suite.CLOISTER, k.publicKey(), INFO);
        Hpke.Receiver r = Hpke.receiver(Suite.CLOISTER, k, s.enc(), INFO);
        s.seek(Long.MAX_VALUE - 1);
        r.seek(Long.MAX_VALUE - 1);
        byte[] last = s.seal(INFO, PT);
        assertArrayEquals(PT, r.open(INFO, last), "the last sequence number still works");
        assertThrows(IllegalStateException.class, () -> s.seal(INFO, PT));
        assertThrows(IllegalStateException.class, () -> r.open(INFO, last));
        assertEquals(Long.MAX_VALUE, s.sequence());
    }

    @Test
    void exportsAgreeAndSeparate() throws HpkeException {
        EcdhKey k = EcdhKey.generate(RANDOM);
        Hpke.SealedAndExported s = Hpke.sealAndExport(Suite.CLOISTER, k.publicKey(), INFO, new byte[0], PT, ascii("response key"), 32);
        Hpke.OpenedAndExported o = Hpke.openAndExport(Suite.CLOISTER, k, s.sealed().enc(), INFO, new byte[0],
                s.sealed().ciphertext(), ascii("response key"), 32);
        assertArrayEquals(PT, o.plaintext());
        assertArrayEquals(s.exportedSecret(), o.exportedSecret());

        Hpke.Receiver r = Hpke.receiver(Suite.CLOISTER, k, s.sealed().enc(), INFO);
        assertArrayEquals(s.exportedSecret(), r.export(ascii("response key"), 32));
        assertNotEquals(Hex.encode(s.exportedSecret()), Hex.encode(r.export(ascii("response nonce"), 32)));
        // LabeledExpand binds the length (I2OSP(L, 2)), so a shorter export is not a prefix of a longer one.
        assertFalse(Arrays.equals(Arrays.copyOf(s.exportedSecret(), 12), r.export(ascii("response key"), 12)));
        assertEquals(0, r.export(new byte[0], 0).length);
        assertEquals(Hpke.MAX_EXPORT_LENGTH, r.export(new byte[0], Hpke.MAX_EXPORT_LENGTH).length);
        assertThrows(IllegalArgumentException.class, () -> r.export(new byte[0], Hpke.MAX_EXPORT_LENGTH + 1));
        assertThrows(IllegalArgumentException.class, () -> r.export(new byte[0], -1));
        // A second message to the same key has an independent context.
        Hpke.SealedAndExported s2 = Hpke.sealAndExport(Suite.CLOISTER, k.publicKey(), INFO, new byte[0], PT, ascii("response key"), 32);
        assertFalse(Arrays.equals(s.exportedSecret(), s2.exportedSecret()));
    }
}
