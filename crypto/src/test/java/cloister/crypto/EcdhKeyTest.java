package cloister.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hex;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** RFC 7748 X25519 vectors (§5.2, §6.1), the all-zero refusal of §6.1, and the secret-handling rules. */
class EcdhKeyTest {
    // RFC 7748 §6.1
    private static final String ALICE_SECRET = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    private static final String ALICE_PUBLIC = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    private static final String BOB_SECRET = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
    private static final String BOB_PUBLIC = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    private static final String SHARED = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

    /** p = 2^255 - 19, for building non-canonical encodings of small-order points. */
    private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));

    private static byte[] littleEndian(BigInteger u) {
        byte[] be = u.toByteArray();
        byte[] le = new byte[32];
        for (int i = 0; i < Math.min(32, be.length); i++) {
            le[i] = be[be.length - 1 - i];
        }
        return le;
    }

    @Test
    void rfc7748Section6_1() {
        EcdhKey alice = EcdhKey.fromSecret(Hex.decode(ALICE_SECRET));
        EcdhKey bob = EcdhKey.fromSecret(Hex.decode(BOB_SECRET));
        assertEquals(ALICE_PUBLIC, alice.publicKey().hex());
        assertEquals(BOB_PUBLIC, bob.publicKey().hex());
        assertEquals(SHARED, Hex.encode(alice.agree(bob.publicKey()).orElseThrow()));
        assertEquals(SHARED, Hex.encode(bob.agree(alice.publicKey()).orElseThrow()));
    }

    @Test
    void rfc7748Section5_2FirstVector() {
        EcdhKey k = EcdhKey.fromSecret(Hex.decode("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"));
        X25519PublicKey u = X25519PublicKey.parse("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
        assertEquals("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552", Hex.encode(k.agree(u).orElseThrow()));
    }

    @Test
    void secretsAreClampedWithoutChangingTheKey() {
        // RFC 7748's own secret is unclamped (low bits of byte 0 set, bit 254 clear); set bit 255 too.
        byte[] unclamped = Hex.decode(ALICE_SECRET);
        unclamped[31] |= (byte) 0x80;
        EcdhKey a = EcdhKey.fromSecret(unclamped);
        assertEquals(ALICE_PUBLIC, a.publicKey().hex(), "same key");
        byte[] clamped = Hex.decode(ALICE_SECRET);
        clamped[0] &= (byte) 0xf8;
        clamped[31] &= 0x7f;
        clamped[31] |= 0x40;
        assertArrayEquals(clamped, a.secret(SecretAccess.insecure()), "serialized clamped (RFC 9180 §7.1.2)");
        assertEquals(a.publicKey(), EcdhKey.fromSecret(clamped).publicKey());
        assertEquals(SHARED, Hex.encode(a.agree(X25519PublicKey.parse(BOB_PUBLIC)).orElseThrow()));
    }

    @Test
    void smallOrderPeersAreRefused() {
        EcdhKey k = EcdhKey.generate(new SecureRandom());
        // Canonical small-order u-coordinates (0, 1, p-1, and the two points of order 8) and non-canonical aliases
        // (p, p+1) and the same with the ignored top bit set: each makes X25519 output all zeros.
        String[] hex = {
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        };
        for (String h : hex) {
            assertTrue(k.agree(X25519PublicKey.parse(h)).isEmpty(), h);
            byte[] top = Hex.decode(h);
            top[31] |= (byte) 0x80;
            assertTrue(k.agree(X25519PublicKey.of(top)).isEmpty(), "top bit set: " + h);
        }
        for (BigInteger u : new BigInteger[] {P.subtract(BigInteger.ONE), P, P.add(BigInteger.ONE)}) {
            assertTrue(k.agree(X25519PublicKey.of(littleEndian(u))).isEmpty(), "u = " + u);
        }
    }

    @Test
    void randomKeysAgree() {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 20; i++) {
            EcdhKey a = EcdhKey.generate(random);
            EcdhKey b = EcdhKey.generate(random);
            byte[] ab = a.agree(b.publicKey()).orElseThrow();
            assertArrayEquals(ab, b.agree(a.publicKey()).orElseThrow());
            assertNotEquals(a.publicKey(), b.publicKey());
            EcdhKey c = EcdhKey.generate(random);
            assertFalse(Arrays.equals(ab, a.agree(c.publicKey()).orElseThrow()));
        }
    }

    @Test
    void generatedSecretsAreClampedAndRoundTrip() {
        EcdhKey k = EcdhKey.generate();
        byte[] s = k.secret(SecretAccess.insecure());
        assertEquals(0, s[0] & 0x07);
        assertEquals(0x40, s[31] & 0xc0);
        assertEquals(k.publicKey(), EcdhKey.fromSecret(s).publicKey());
        s[5] ^= 1;
        assertNotEquals(s[5], k.secret(SecretAccess.insecure())[5], "secret() hands out a copy");
    }

    @Test
    void secretsStayHidden() {
        EcdhKey k = EcdhKey.fromSecret(Hex.decode(ALICE_SECRET));
        String s = k.toString();
        assertFalse(s.contains(ALICE_SECRET), s);
        assertTrue(s.contains(ALICE_PUBLIC), s);
        assertThrows(NullPointerException.class, () -> k.secret(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EcdhKey.fromSecret(Hex.decode(ALICE_SECRET.substring(2))));
        assertFalse(e.getMessage().contains(ALICE_SECRET.substring(2, 20)), "the message names the length only");
    }

    @Test
    void publicKeysAreValues() {
        X25519PublicKey a = X25519PublicKey.parse(ALICE_PUBLIC);
        byte[] raw = Hex.decode(ALICE_PUBLIC);
        X25519PublicKey b = X25519PublicKey.of(raw);
        raw[0] ^= 1;
        assertEquals(a, b, "of() copies its input");
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(ALICE_PUBLIC, a.toString());
        assertEquals(a, X25519PublicKey.parse("0x" + ALICE_PUBLIC.toUpperCase(java.util.Locale.ROOT)));
        assertNotEquals(a, X25519PublicKey.parse(BOB_PUBLIC));
        byte[] out = a.bytes();
        out[0] ^= 1;
        assertEquals(ALICE_PUBLIC, a.hex(), "bytes() hands out a copy");
        assertThrows(IllegalArgumentException.class, () -> X25519PublicKey.of(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> X25519PublicKey.of(new byte[33]));
        assertThrows(IllegalArgumentException.class, () -> X25519PublicKey.parse("zz"));
    }
}
