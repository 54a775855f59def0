package cloister.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hex;
import java.math.BigInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** RFC 8032 §7.1 test vectors (Ed25519, pure) and the verification refusals we rely on. */
class Ed25519Test {
    /** The group order L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 §5.1). */
    private static final BigInteger L = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));

    record Vector(String name, String seed, String publicKey, String message, String signature) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Vector> rfc8032() {
        return Stream.of(
                new Vector("TEST 1",
                        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                        "",
                        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
                new Vector("TEST 2",
                        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
                        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
                        "72",
                        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                                + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
                new Vector("TEST 3",
                        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
                        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
                        "af82",
                        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
                                + "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
                new Vector("TEST SHA(abc)",
                        "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
                        "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
                        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                                + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
                        "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
                                + "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"));
    }

    @ParameterizedTest
    @MethodSource("rfc8032")
    void derivesThePublicKey(Vector v) {
        SigningKey key = SigningKey.fromSeed(Hex.decode(v.seed()));
        assertEquals(v.publicKey(), key.account().hex());
    }

    @ParameterizedTest
    @MethodSource("rfc8032")
    void signsExactlyTheRfcSignature(Vector v) {
        SigningKey key = SigningKey.fromSeed(Hex.decode(v.seed()));
        assertEquals(v.signature(), Hex.encode(key.sign(Hex.decode(v.message()))));
    }

    @ParameterizedTest
    @MethodSource("rfc8032")
    void verifiesTheRfcSignature(Vector v) {
        AccountId account = AccountId.parse(v.publicKey());
        byte[] message = Hex.decode(v.message());
        byte[] signature = Hex.decode(v.signature());
        assertTrue(account.verify(message, signature));
        assertTrue(Ed25519.verify(account, message, signature), "second verification uses the cached point");
    }

    @ParameterizedTest
    @MethodSource("rfc8032")
    void refusesAnyFlippedBitInMessage(Vector v) {
        AccountId account = AccountId.parse(v.publicKey());
        byte[] message = Hex.decode(v.message());
        byte[] signature = Hex.decode(v.signature());
        for (int bit = 0; bit < message.length * 8; bit++) {
            byte[] m = message.clone();
            m[bit / 8] ^= (byte) (1 << (bit % 8));
            assertFalse(account.verify(m, signature), "message bit " + bit);
        }
        byte[] longer = new byte[message.length + 1];
        System.arraycopy(message, 0, longer, 0, message.length);
        assertFalse(account.verify(longer, signature), "message with an extra zero byte");
    }

    @ParameterizedTest
    @MethodSource("rfc8032")
    void refusesAnyFlippedBitInSignature(Vector v) {
        AccountId account = AccountId.parse(v.publicKey());
        byte[] message = Hex.decode(v.message());
        byte[] signature = Hex.decode(v.signature());
        for (int bit = 0; bit < 512; bit++) {
            byte[] s = signature.clone();
            s[bit / 8] ^= (byte) (1 << (bit % 8));
            assertFalse(account.verify(message, s), "signature bit " + bit);
        }
    }

    @ParameterizedTest
    @MethodSource("rfc8032")
    void refusesAnyFlippedBitInPublicKey(Vector v) {
        byte[] publicKey = Hex.decode(v.publicKey());
        byte[] message = Hex.decode(v.message());
        byte[] signature = Hex.decode(v.signature());
        for (int bit = 0; bit < 256; bit++) {
            byte[] k = publicKey.clone();
            k[bit / 8] ^= (byte) (1 << (bit % 8));
            assertFalse(AccountId.of(k).verify(message, signature), "public key bit " + bit);
        }
    }

    @ParameterizedTest
    @MethodSource("rfc8032")
    void refusesNonCanonicalS(Vector v) {
        AccountId account = AccountId.parse(v.publicKey());
        byte[] message = Hex.decode(v.message());
        byte[] signature = Hex.decode(v.signature());
        // S is the little-endian scalar in bytes 32..63. S + L is the same scalar mod L: accepting it would make
        // signatures malleable (RFC 8032 §5.1.7 requires 0 <= S < L).
        BigInteger s = littleEndian(signature, 32);
        BigInteger sPlusL = s.add(L);
        assertTrue(sPlusL.bitLength() <= 256);
        byte[] malleated = signature.clone();
        System.arraycopy(toLittleEndian32(sPlusL), 0, malleated, 32, 32);
        assertFalse(account.verify(message, malleated));
        assertTrue(account.verify(message, signature), "the original still verifies");
    }

    @ParameterizedTest
    @MethodSource("rfc8032")
    void refusesWrongLengthSignatures(Vector v) {
        AccountId account = AccountId.parse(v.publicKey());
        byte[] message = Hex.decode(v.message());
        byte[] signature = Hex.decode(v.signature());
        assertFalse(account.verify(message, new byte[0]));
        assertFalse(account.verify(message, java.util.Arrays.copyOf(signature, 63)));
        assertFalse(account.verify(message, java.util.Arrays.copyOf(signature, 65)));
        assertFalse(account.verify(message, java.util.Arrays.copyOf(signature, 128)));
    }

    @Test
    void refusesAKeyThatIsNotACurvePoint() {
        // y = 2^255 - 19 + 1 is not a canonical field element: every strict decoder refuses this encoding.
        byte[] bad = toLittleEndian32(BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(18)));
        AccountId account = AccountId.of(bad);
        assertFalse(account.verify(new byte[0], new byte[64]));
        assertFalse(account.verify(new byte[0], new byte[64]), "cached refusal");
    }

    @Test
    void signingKeyHidesItsSeed() {
        byte[] seed = Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        SigningKey key = SigningKey.fromSeed(seed);
        assertFalse(key.toString().contains("9d61b19d"), key.toString());
        assertTrue(key.toString().contains(key.account().address()));
        assertArrayEquals(seed, key.seed(SecretAccess.insecure()));
        assertThrows(NullPointerException.class, () -> key.seed(null));
        seed[0] ^= 1;
        assertEquals("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", key.account().hex(),
                "fromSeed copies the seed");
        assertThrows(IllegalArgumentException.class, () -> SigningKey.fromSeed(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> SigningKey.fromSeed(new byte[33]));
    }

    @Test
    void generatedKeysSignAndVerify() {
        SigningKey a = SigningKey.generate();
        SigningKey b = SigningKey.generate();
        assertFalse(a.account().equals(b.account()));
        byte[] msg = "cloister".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(a.account().verify(msg, a.sign(msg)));
        assertFalse(b.account().verify(msg, a.sign(msg)));
    }

    private static BigInteger littleEndian(byte[] b, int offset) {
        byte[] be = new byte[33];
        for (int i = 0; i < 32; i++) {
            be[32 - i] = b[offset + i];
        }
        return new BigInteger(be);
    }

    private static byte[] toLittleEndian32(BigInteger v) {
        byte[] be = v.toByteArray();
        byte[] le = new byte[32];
        for (int i = 0; i < 32 && i < be.length; i++) {
            le[i] = be[be.length - 1 - i];
        }
        return le;
    }
}
