package cloister.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PassphraseEncryptionTest {
    /** scrypt N = 2^10 keeps the tests fast; the parameters travel with the sealed value. */
    private static final int TEST_LOG_N = 10;
    private static final char[] PASS = "correct horse battery staple".toCharArray();
    private static final byte[] SECRET = "thirty-two bytes of secret seed!".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AAD = "keystore:clo1example".getBytes(StandardCharsets.US_ASCII);

    private static PassphraseEncryption.Sealed seal() {
        return PassphraseEncryption.seal(PASS, SECRET, AAD, TEST_LOG_N, new SecureRandom());
    }

    @Test
    void roundTrips() throws Exception {
        PassphraseEncryption.Sealed s = seal();
        assertEquals(TEST_LOG_N, s.logN());
        assertEquals(8, s.r());
        assertEquals(1, s.p());
        assertEquals(16, s.salt().length);
        assertEquals(12, s.nonce().length);
        assertEquals(SECRET.length + 16, s.ciphertext().length, "AES-GCM appends a 128-bit tag");
        assertFalse(Arrays.equals(SECRET, Arrays.copyOf(s.ciphertext(), SECRET.length)), "ciphertext is not the plaintext");
        assertArrayEquals(SECRET, PassphraseEncryption.open(PASS, s, AAD));
    }

    @Test
    void nonAsciiPassphraseRoundTrips() throws Exception {
        char[] pass = "pässwörd ✓ 𝄞".toCharArray();
        PassphraseEncryption.Sealed s = PassphraseEncryption.seal(pass, SECRET, AAD, TEST_LOG_N, new SecureRandom());
        assertArrayEquals(SECRET, PassphraseEncryption.open(pass, s, AAD));
        assertThrows(PassphraseEncryption.WrongPassphraseException.class,
                () -> PassphraseEncryption.open("passwörd ✓ 𝄞".toCharArray(), s, AAD));
    }

    @Test
    void saltAndNonceAreFreshEachTime() {
        PassphraseEncryption.Sealed a = seal();
        PassphraseEncryption.Sealed b = seal();
        assertFalse(Arrays.equals(a.salt(), b.salt()));
        assertFalse(Arrays.equals(a.nonce(), b.nonce()));
        assertFalse(Arrays.equals(a.ciphertext(), b.ciphertext()));
    }

    @Test
    void wrongPassphraseIsRefused() {
        PassphraseEncryption.Sealed s = seal();
        PassphraseEncryption.WrongPassphraseException e = assertThrows(PassphraseEncryption.WrongPassphraseException.class,
                () -> PassphraseEncryption.open("correct horse battery stapl".toCharArray(), s, AAD));
        assertFalse(e.getMessage().contains("staple"), "the message never echoes the passphrase");
        assertThrows(PassphraseEncryption.WrongPassphraseException.class,
                () -> PassphraseEncryption.open(new char[0], s, AAD));
    }

    @Test
    void everyAlteredCiphertextByteIsRefused() {
        PassphraseEncryption.Sealed s = seal();
        for (int i = 0; i < s.ciphertext().length; i++) {
            byte[] ct = s.ciphertext();
            ct[i] ^= 0x01;
            PassphraseEncryption.Sealed altered = new PassphraseEncryption.Sealed(s.logN(), s.r(), s.p(), s.salt(), s.nonce(), ct);
            assertThrows(PassphraseEncryption.WrongPassphraseException.class, () -> PassphraseEncryption.open(PASS, altered, AAD),
                    "ciphertext byte " + i);
        }
        byte[] truncated = Arrays.copyOf(s.ciphertext(), s.ciphertext().length - 1);
        assertThrows(PassphraseEncryption.WrongPassphraseException.class, () -> PassphraseEncryption.open(PASS,
                new PassphraseEncryption.Sealed(s.logN(), s.r(), s.p(), s.salt(), s.nonce(), truncated), AAD));
    }

    @Test
    void alteredAssociatedDataIsRefused() {
        PassphraseEncryption.Sealed s = seal();
        byte[] aad = AAD.clone();
        aad[aad.length - 1] ^= 1;
        assertThrows(PassphraseEncryption.WrongPassphraseException.class, () -> PassphraseEncryption.open(PASS, s, aad));
        assertThrows(PassphraseEncryption.WrongPassphraseException.class, () -> PassphraseEncryption.open(PASS, s, new byte[0]));
    }

    @Test
    void alteredSaltOrNonceIsRefused() {
        PassphraseEncryption.Sealed s = seal();
        byte[] salt = s.salt();
        salt[0] ^= 1;
        assertThrows(PassphraseEncryption.WrongPassphraseException.class, () -> PassphraseEncryption.open(PASS,
                new PassphraseEncryption.Sealed(s.logN(), s.r(), s.p(), salt, s.nonce(), s.ciphertext()), AAD));
        byte[] nonce = s.nonce();
        nonce[11] ^= 1;
        assertThrows(PassphraseEncryption.WrongPassphraseException.class, () -> PassphraseEncryption.open(PASS,
                new PassphraseEncryption.Sealed(s.logN(), s.r(), s.p(), s.salt(), nonce, s.ciphertext()), AAD));
    }

    @Test
    void alteredKdfParametersAreRefused() {
        PassphraseEncryption.Sealed s = seal();
        // A different (valid) cost derives another key: authentication fails.
        assertThrows(PassphraseEncryption.WrongPassphraseException.class, () -> PassphraseEncryption.open(PASS,
                new PassphraseEncryption.Sealed(11, s.r(), s.p(), s.salt(), s.nonce(), s.ciphertext()), AAD));
        // Out-of-range parameters are refused before any work (a hostile file must not make us spin or allocate).
        for (int[] bad : new int[][] {{9, 8, 1}, {23, 8, 1}, {10, 0, 1}, {10, 33, 1}, {10, 8, 0}, {10, 8, 17}}) {
            assertThrows(IllegalArgumentException.class, () -> PassphraseEncryption.open(PASS,
                    new PassphraseEncryption.Sealed(bad[0], bad[1], bad[2], s.salt(), s.nonce(), s.ciphertext()), AAD));
        }
    }

    @Test
    void sealRefusesParametersThatOpenWouldRefuse() {
        // Otherwise a keystore could be written that can never be opened again.
        assertThrows(IllegalArgumentException.class,
                () -> PassphraseEncryption.seal(PASS, SECRET, AAD, 9, new SecureRandom()));
        assertThrows(IllegalArgumentException.class,
                () -> PassphraseEncryption.seal(PASS, SECRET, AAD, 23, new SecureRandom()));
    }
}
