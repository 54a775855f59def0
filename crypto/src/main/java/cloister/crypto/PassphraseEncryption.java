package cloister.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * Encrypts small secrets (keystore seeds) under a passphrase: scrypt (N=2^15, r=8, p=1, as in Ethereum's
 * keystore v3 "light" and libsodium's interactive limit) derives a 256-bit key, AES-256-GCM seals with a random
 * 96-bit nonce. The KDF parameters travel with the ciphertext so they can be raised later.
 */
public final class PassphraseEncryption {
    /** What a sealed secret carries besides its ciphertext. */
    public record Sealed(int logN, int r, int p, byte[] salt, byte[] nonce, byte[] ciphertext) {}

    /** The passphrase was wrong (or the data was altered): GCM authentication failed. */
    public static final class WrongPassphraseException extends Exception {
        private static final long serialVersionUID = 1L;

        WrongPassphraseException() {
            super("wrong passphrase (or the keystore file was altered)");
        }
    }

    public static final int DEFAULT_LOG_N = 15;

    private PassphraseEncryption() {}

    public static Sealed seal(char[] passphrase, byte[] secret, byte[] associatedData) {
        return seal(passphrase, secret, associatedData, DEFAULT_LOG_N, new SecureRandom());
    }

    public static Sealed seal(char[] passphrase, byte[] secret, byte[] associatedData, int logN, SecureRandom random) {
        checkKdfParameters(logN, 8, 1);
        byte[] salt = new byte[16];
        byte[] nonce = new byte[12];
        random.nextBytes(salt);
        random.nextBytes(nonce);
        byte[] key = derive(passphrase, salt, logN, 8, 1);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(associatedData);
            return new Sealed(logN, 8, 1, salt, nonce, c.doFinal(secret));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is available on every Java platform", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    public static byte[] open(char[] passphrase, Sealed sealed, byte[] associatedData) throws WrongPassphraseException {
        checkKdfParameters(sealed.logN(), sealed.r(), sealed.p());
        byte[] key = derive(passphrase, sealed.salt(), sealed.logN(), sealed.r(), sealed.p());
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, sealed.nonce()));
            c.updateAAD(associatedData);
            return c.doFinal(sealed.ciphertext());
        } catch (AEADBadTagException e) {
            throw new WrongPassphraseException();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("keystore ciphertext is malformed");
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** The one range both directions accept, so whatever is sealed can be opened again. */
    private static void checkKdfParameters(int logN, int r, int p) {
        if (logN < 10 || logN > 22 || r < 1 || r > 32 || p < 1 || p > 16) {
            throw new IllegalArgumentException("keystore KDF parameters are out of range");
        }
    }

    private static byte[] derive(char[] passphrase, byte[] salt, int logN, int r, int p) {
        ByteBuffer bb = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(passphrase));
        byte[] pass = new byte[bb.remaining()];
        bb.get(pass);
        try {
            return SCrypt.generate(pass, salt, 1 << logN, r, p, 32);
        } finally {
            Arrays.fill(pass, (byte) 0);
        }
    }
}
