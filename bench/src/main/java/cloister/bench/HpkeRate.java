package cloister.bench;

import cloister.crypto.EcdhKey;
import cloister.crypto.Hpke;
import cloister.crypto.SecretAccess;
import cloister.crypto.X25519PublicKey;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.agreement.X25519Agreement;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.X25519KeyPairGenerator;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.hpke.HPKEContext;
import org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.X25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;

/**
 * Single-core rates of what encrypting to a key costs, Cloister's {@code cloister.crypto} next to BouncyCastle's
 * implementation of the same thing, measured in the same run on this thread: X25519 key generation and agreement,
 * HPKE (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, base mode) seal and open of a 256-byte message, and
 * AES-256-GCM alone. The last rows put HPKE against its own floor: a seal + open needs one fixed-base and two
 * variable-base X25519 multiplications, so the X25519 rates measured above bound what any implementation can reach.
 */
final class HpkeRate {
    private static final int MESSAGE = 256;
    private static final Hpke.Suite SUITE = Hpke.Suite.CLOISTER;

    private HpkeRate() {}

    public static void main(String[] args) throws Exception {
        double seconds = 2.0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help")) {
                System.out.println("Usage: ./cloister bench hpke [--seconds S (2)]   (each rate is measured for S seconds after a warm-up)");
                return;
            }
            if (!a.equals("--seconds")) {
                fail("unknown option " + a);
            }
            if (i + 1 >= args.length) {
                fail("option --seconds needs a value");
            }
            try {
                seconds = Double.parseDouble(args[++i]);
            } catch (NumberFormatException e) {
                fail("option --seconds needs a number, got '" + args[i] + "'");
            }
            if (!(seconds > 0 && seconds <= 600)) {
                fail("option --seconds must be in (0, 600]");
            }
        }
        run(seconds);
    }

    private static void fail(String message) {
        System.err.println("error: " + message);
        System.err.println("Try './cloister bench hpke --help'");
        System.exit(2);
    }

    private static void run(double seconds) throws Exception {
        System.out.printf(Locale.ROOT, "cores available: %d (measuring on 1 thread), JVM: %s, %.1f s per rate%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"), seconds);
        SecureRandom random = new SecureRandom();
        byte[] info = "cloister/bench hpke".getBytes(StandardCharsets.US_ASCII);
        byte[] aad = "job 1, message 1".getBytes(StandardCharsets.US_ASCII);
        byte[] message = new byte[MESSAGE];
        random.nextBytes(message);

        // Keys: the same recipient and peer for both implementations.
        EcdhKey recipient = EcdhKey.generate(random);
        EcdhKey peer = EcdhKey.generate(random);
        X25519PublicKey recipientPublic = recipient.publicKey();
        X25519PublicKey peerPublic = peer.publicKey();
        byte[] recipientSecret = recipient.secret(SecretAccess.insecure());
        HPKE bc = new HPKE(HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM256);
        AsymmetricCipherKeyPair bcRecipient = bc.deserializePrivateKey(recipientSecret, recipientPublic.bytes());
        var bcRecipientPublic = bc.deserializePublicKey(recipientPublic.bytes());
        X25519PrivateKeyParameters bcPrivate = new X25519PrivateKeyParameters(recipientSecret);
        X25519PublicKeyParameters bcPeer = new X25519PublicKeyParameters(peerPublic.bytes());
        X25519KeyPairGenerator bcKeys = new X25519KeyPairGenerator();
        bcKeys.init(new X25519KeyGenerationParameters(random));

        // Fixed ciphertexts to open, from each side (an open does not depend on who sealed).
        Hpke.Sealed ours = Hpke.seal(SUITE, recipientPublic, info, aad, message);
        HPKEContextWithEncapsulation bcSender = bc.setupBaseS(bcRecipientPublic, info);
        byte[] bcEnc = bcSender.getEncapsulation();
        byte[] bcCt = bcSender.seal(aad, message);

        // AES-256-GCM alone: one key, a fresh nonce per message (a counter), as an HPKE context does.
        byte[] aesKey = new byte[32];
        random.nextBytes(aesKey);
        SecretKeySpec jdkKey = new SecretKeySpec(aesKey, "AES");
        Cipher jdkGcm = Cipher.getInstance("AES/GCM/NoPadding");
        GCMModeCipher bcGcm = org.bouncycastle.crypto.modes.GCMBlockCipher.newInstance(AESEngine.newInstance());
        KeyParameter bcAesKey = new KeyParameter(aesKey);
        byte[] bcGcmOut = new byte[MESSAGE + 16];

        KeyPairGenerator jdkKpg = KeyPairGenerator.getInstance("X25519");
        KeyPair jdkPair = jdkKpg.generateKeyPair();
        KeyPair jdkPeer = jdkKpg.generateKeyPair();
        KeyAgreement jdkAgreement = KeyAgreement.getInstance("X25519");

        System.out.println();
        System.out.println("| operation (1 core; HPKE suite X25519/HKDF-SHA256/AES-256-GCM, 256-byte message) | ours /s | BouncyCastle /s | ours ÷ BC |");
        System.out.println("|---|---:|---:|---:|");
        double agree = compare("X25519 agreement (variable-base)", seconds,
                i -> peer.agree(recipientPublic).orElseThrow()[0],
                i -> {
                    X25519Agreement a = new X25519Agreement();
                    a.init(bcPrivate);
                    byte[] out = new byte[32];
                    a.calculateAgreement(bcPeer, out, 0);
                    return out[0];
                });
        double keygen = compare("X25519 key generation (fixed-base, incl. SecureRandom)", seconds,
                i -> EcdhKey.generate(random).publicKey().hex().charAt(0),
                i -> ((X25519PublicKeyParameters) bcKeys.generateKeyPair().getPublic()).getEncoded()[0]);
        compare("HPKE seal (single-shot: encap + key schedule + AES-GCM)", seconds,
                i -> Hpke.seal(SUITE, recipientPublic, info, aad, message).ciphertext()[0],
                i -> {
                    HPKEContextWithEncapsulation s = bc.setupBaseS(bcRecipientPublic, info);
                    return s.seal(aad, message)[0] ^ s.getEncapsulation()[0];
                });
        compare("HPKE open (single-shot: decap + key schedule + AES-GCM)", seconds,
                i -> Hpke.open(SUITE, recipient, ours.enc(), info, aad, ours.ciphertext())[0],
                i -> bc.setupBaseR(bcEnc, bcRecipient, info).open(aad, bcCt)[0]);
        double pair = compare("HPKE seal + open", seconds,
                i -> {
                    Hpke.Sealed s = Hpke.seal(SUITE, recipientPublic, info, aad, message);
                    return Hpke.open(SUITE, recipient, s.enc(), info, aad, s.ciphertext())[0];
                },
                i -> {
                    HPKEContextWithEncapsulation s = bc.setupBaseS(bcRecipientPublic, info);
                    byte[] ct = s.seal(aad, message);
                    HPKEContext r = bc.setupBaseR(s.getEncapsulation(), bcRecipient, info);
                    return r.open(aad, ct)[0];
                });
        byte[] nonce = new byte[12];
        compare("AES-256-GCM seal alone (ours = JDK Cipher, as in Hpke)", seconds,
                i -> {
                    counterNonce(nonce, i);
                    jdkGcm.init(Cipher.ENCRYPT_MODE, jdkKey, new GCMParameterSpec(128, nonce));
                    jdkGcm.updateAAD(aad);
                    return jdkGcm.doFinal(message)[0];
                },
                i -> {
                    counterNonce(nonce, i);
                    bcGcm.init(true, new AEADParameters(bcAesKey, 128, nonce.clone()));
                    bcGcm.processAADBytes(aad, 0, aad.length);
                    int n = bcGcm.processBytes(message, 0, message.length, bcGcmOut, 0);
                    bcGcm.doFinal(bcGcmOut, n);
                    return bcGcmOut[0];
                });

        double jdkAgree = Rates.timed(seconds, i -> {
            jdkAgreement.init(jdkPair.getPrivate());
            jdkAgreement.doPhase(jdkPeer.getPublic(), true);
            return jdkAgreement.generateSecret()[0];
        });
        // A seal + open costs at least one fixed-base multiplication (the ephemeral key) and two variable-base ones
        // (sender and receiver Diffie-Hellman); everything else (HKDF, AES-GCM, allocation) is overhead over this.
        double floor = 1.0 / (1.0 / keygen + 2.0 / agree);
        System.out.println();
        System.out.printf(Locale.ROOT, "| (info) X25519 agreement, JDK KeyAgreement \"X25519\" | %,.0f /s | ours ÷ JDK %.2f |%n", jdkAgree, agree / jdkAgree);
        System.out.printf(Locale.ROOT, "| limit: HPKE seal + open if X25519 were the only cost (1 fixed-base + 2 variable-base, ours) | %,.0f /s | ours ÷ limit %.2f |%n",
                floor, pair / floor);
    }

    private static void counterNonce(byte[] nonce, long i) {
        for (int k = 0; k < 8; k++) {
            nonce[11 - k] = (byte) (i >>> (8 * k));
        }
    }

    private static double compare(String name, double seconds, Rates.Op ours, Rates.Op bc) throws Exception {
        // Warm both up (JIT) before measuring either, then measure each on this thread.
        Rates.timed(Math.min(1.0, seconds), ours);
        Rates.timed(Math.min(1.0, seconds), bc);
        double o = Rates.timed(seconds, ours);
        double b = Rates.timed(seconds, bc);
        System.out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f |%n", name, o, b, o / b);
        return o;
    }
}
