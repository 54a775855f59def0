package cloister.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hybrid Public Key Encryption, RFC 9180, base mode ({@code mode_base = 0x00}): anyone holding a recipient's
 * {@link X25519PublicKey} encrypts to it; only the holder of the matching {@link EcdhKey} decrypts. The sender is
 * anonymous (base mode authenticates nothing about the sender). The PSK and Auth modes are not implemented.
 *
 * <p>Primitives: KEM DHKEM(X25519, HKDF-SHA256) ({@code 0x0020}) on BouncyCastle's low-level X25519, KDF
 * HKDF-SHA256 ({@code 0x0001}, {@link Hkdf}), AEAD AES-GCM from the JDK's {@code Cipher} (hardware AES and GHASH
 * intrinsics). Cloister's suite is {@link Suite#CLOISTER} (AES-256-GCM, {@code 0x0002}); AES-128-GCM
 * ({@code 0x0001}) exists so RFC 9180 Appendix A.1's published vectors can check this code.
 *
 * <p>Two APIs. Single-shot (RFC 9180 §6): {@link #seal} / {@link #open} one message, optionally also deriving an
 * exported secret ({@link #sealAndExport} / {@link #openAndExport}). Contexts (RFC 9180 §5): {@link #sender} and
 * {@link #receiver} set up once and then seal or open a sequence of messages, each with nonce
 * {@code base_nonce XOR seq}; messages must be opened in the order they were sealed.
 *
 * <p>Answering a query (RFC 9180 §9.8): the client seals its query and exports a response key; the worker opens the
 * query and exports the same key, with which it encrypts its answer; nobody else can derive it.
 * <pre>{@code
 * // client
 * Hpke.SealedAndExported q = Hpke.sealAndExport(Suite.CLOISTER, workerKey, info, aad, query, RESPONSE_LABEL, 32);
 * send(q.sealed().encode());                        // and keep q.exportedSecret() for the answer
 * // worker
 * Hpke.Sealed in = Hpke.Sealed.decode(received);
 * Hpke.OpenedAndExported r = Hpke.openAndExport(Suite.CLOISTER, workerSecret, in.enc(), info, aad, in.ciphertext(),
 *         RESPONSE_LABEL, 32);                      // r.plaintext() is the query, r.exportedSecret() the same key
 * }</pre>
 *
 * <p>Refusals: a message that is malformed, carries a low-order encapsulated key, or does not authenticate
 * (altered ciphertext, {@code enc}, {@code info} or {@code aad}; another recipient) throws the checked
 * {@link HpkeException}, whose message never contains key or message bytes. Sealing to a low-order recipient key
 * throws {@link IllegalArgumentException}: such a key is invalid input that no honest party publishes.
 */
public final class Hpke {
    /** {@code mode_base}, the only mode implemented. */
    static final byte MODE_BASE = 0x00;
    /** DHKEM(X25519, HKDF-SHA256). */
    public static final int KEM_ID = 0x0020;
    /** HKDF-SHA256. */
    public static final int KDF_ID = 0x0001;
    /** Length of the encapsulated key {@code enc}, RFC 9180's {@code Nenc} for X25519. */
    public static final int ENC_LENGTH = 32;
    /** AES-GCM nonce length, {@code Nn}. */
    public static final int NONCE_LENGTH = 12;
    /** AES-GCM tag length, {@code Nt}: every ciphertext is this much longer than its plaintext. */
    public static final int TAG_LENGTH = 16;
    /** The longest exported secret: HKDF-SHA256's limit, 255 * 32 bytes. */
    public static final int MAX_EXPORT_LENGTH = Hkdf.MAX_OUTPUT_LENGTH;

    /** An HPKE cipher suite: KEM and KDF are fixed (X25519, HKDF-SHA256); the AEAD varies. */
    public enum Suite {
        /** DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM: RFC 9180 Appendix A.1's suite. */
        X25519_SHA256_AES128GCM(0x0001, 16),
        /** DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM: Cloister's suite. */
        X25519_SHA256_AES256GCM(0x0002, 32);

        /** The suite Cloister uses for everything it encrypts to a key. */
        public static final Suite CLOISTER = X25519_SHA256_AES256GCM;

        private final int aeadId;
        private final int keyLength;
        /** {@code "HPKE" || I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) || I2OSP(aead_id, 2)}, RFC 9180 §5.1. */
        private final byte[] suiteId;

        Suite(int aeadId, int keyLength) {
            this.aeadId = aeadId;
            this.keyLength = keyLength;
            this.suiteId = new byte[] {'H', 'P', 'K', 'E', 0x00, 0x20, 0x00, 0x01, (byte) (aeadId >> 8), (byte) aeadId};
        }

        public int kemId() {
            return KEM_ID;
        }

        public int kdfId() {
            return KDF_ID;
        }

        /** The RFC 9180 AEAD identifier: 0x0001 AES-128-GCM, 0x0002 AES-256-GCM. */
        public int aeadId() {
            return aeadId;
        }

        /** The AEAD key length {@code Nk}, in bytes. */
        public int keyLength() {
            return keyLength;
        }
    }

    /**
     * One sealed message: the encapsulated key {@code enc} (the sender's ephemeral X25519 public key, 32 bytes)
     * and the AEAD ciphertext (plaintext length + 16-byte tag).
     *
     * <p>Wire format ({@link #encode()} / {@link #decode(byte[])}): {@code enc (32 bytes) || ciphertext}, with no
     * length prefix and no suite identifier: the suite, the {@code info} and the {@code aad} are implicit in the
     * protocol that carries the message (RFC 9180 §10). A valid encoding is at least 48 bytes.
     *
     * <p>Equal when both byte arrays are equal. The accessors return the record's own arrays.
     */
    public record Sealed(byte[] enc, byte[] ciphertext) {
        /** {@code enc || ciphertext}. */
        public byte[] encode() {
            byte[] out = Arrays.copyOf(enc, enc.length + ciphertext.length);
            System.arraycopy(ciphertext, 0, out, enc.length, ciphertext.length);
            return out;
        }

        /**
         * Splits {@code enc || ciphertext}.
         *
         * @throws HpkeException {@link HpkeException.Reason#MALFORMED} if shorter than {@code enc} plus a tag
         */
        public static Sealed decode(byte[] wire) throws HpkeException {
            if (wire.length < ENC_LENGTH + TAG_LENGTH) {
                throw new HpkeException(HpkeException.Reason.MALFORMED);
            }
            return new Sealed(Arrays.copyOf(wire, ENC_LENGTH), Arrays.copyOfRange(wire, ENC_LENGTH, wire.length));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Sealed s && Arrays.equals(enc, s.enc) && Arrays.equals(ciphertext, s.ciphertext);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(enc) + Arrays.hashCode(ciphertext);
        }

        @Override
        public String toString() {
            return "Hpke.Sealed[enc " + enc.length + " bytes, ciphertext " + ciphertext.length + " bytes]";
        }
    }

    /** A sealed message and the sender's exported secret. The secret must stay out of logs; it never prints. */
    public record SealedAndExported(Sealed sealed, byte[] exportedSecret) {
        @Override
        public String toString() {
            return "Hpke.SealedAndExported[" + sealed + ", exported secret hidden]";
        }
    }

    /** An opened message and the receiver's exported secret. Neither ever prints. */
    public record OpenedAndExported(byte[] plaintext, byte[] exportedSecret) {
        @Override
        public String toString() {
            return "Hpke.OpenedAndExported[plaintext " + plaintext.length + " bytes, exported secret hidden]";
        }
    }

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] HPKE_V1 = ascii("HPKE-v1");
    /** {@code "KEM" || I2OSP(kem_id, 2)}: DHKEM's own suite id, kept apart from HPKE's (RFC 9180 §4.1, §9.6). */
    private static final byte[] KEM_SUITE_ID = {'K', 'E', 'M', 0x00, 0x20};
    private static final byte[] EAE_PRK = ascii("eae_prk");
    private static final byte[] SHARED_SECRET = ascii("shared_secret");
    private static final byte[] DKP_PRK = ascii("dkp_prk");
    private static final byte[] SK = ascii("sk");
    private static final byte[] PSK_ID_HASH = ascii("psk_id_hash");
    private static final byte[] INFO_HASH = ascii("info_hash");
    private static final byte[] SECRET = ascii("secret");
    private static final byte[] KEY = ascii("key");
    private static final byte[] BASE_NONCE = ascii("base_nonce");
    private static final byte[] EXP = ascii("exp");
    private static final byte[] SEC = ascii("sec");
    private static final String AES_GCM = "AES/GCM/NoPadding";

    /** Shared and thread-safe; draws the ephemeral keys. */
    private static final SecureRandom RANDOM = new SecureRandom();

    private Hpke() {}

    // ---- single-shot API (RFC 9180 §6) ----

    /**
     * Encrypts {@code plaintext} to {@code recipient} under a fresh ephemeral key (RFC 9180 {@code SealBase}).
     *
     * @param info application context bound into the key schedule (both sides must pass the same bytes)
     * @param aad associated data authenticated but not encrypted (both sides must pass the same bytes)
     * @throws IllegalArgumentException if {@code recipient} is a low-order point
     */
    public static Sealed seal(Suite suite, X25519PublicKey recipient, byte[] info, byte[] aad, byte[] plaintext) {
        Sender s = sender(suite, recipient, info);
        return new Sealed(s.enc(), s.seal(aad, plaintext));
    }

    /**
     * {@link #seal} with the ephemeral key {@code DeriveKeyPair(ephemeralSeed)} instead of a random one: the same
     * inputs give the same bytes. For messages several parties must produce identically (a contract's private events,
     * sealed by every worker of its cluster). Safe only if {@code ephemeralSeed} is secret (known to nobody who could
     * not open the message anyway) and used for this one message: derive it from a secret and a unique message id.
     */
    public static Sealed sealDeterministic(Suite suite, X25519PublicKey recipient, byte[] info, byte[] aad, byte[] plaintext,
            byte[] ephemeralSeed) {
        Sender s = sender(suite, recipient, info, deriveKeyPair(ephemeralSeed));
        return new Sealed(s.enc(), s.seal(aad, plaintext));
    }

    /**
     * {@link #seal} that also returns {@code Export(exporterContext, length)} of the same context (RFC 9180 §5.3),
     * e.g. a key for the recipient's answer, which only the recipient can derive too ({@link #openAndExport}).
     */
    public static SealedAndExported sealAndExport(Suite suite, X25519PublicKey recipient, byte[] info, byte[] aad,
            byte[] plaintext, byte[] exporterContext, int length) {
        Sender s = sender(suite, recipient, info);
        Sealed sealed = new Sealed(s.enc(), s.seal(aad, plaintext));
        return new SealedAndExported(sealed, s.export(exporterContext, length));
    }

    /**
     * Decrypts a single-shot message (RFC 9180 {@code OpenBase}).
     *
     * @return the plaintext
     * @throws HpkeException if {@code enc} is not 32 bytes or a low-order point, or the message does not
     *     authenticate (anything altered, or sealed to another key)
     */
    public static byte[] open(Suite suite, EcdhKey recipient, byte[] enc, byte[] info, byte[] aad, byte[] ciphertext)
            throws HpkeException {
        return receiver(suite, recipient, enc, info).open(aad, ciphertext);
    }

    /** {@link #open} of a {@link Sealed} message, e.g. one from {@link Sealed#decode}. */
    public static byte[] open(Suite suite, EcdhKey recipient, Sealed sealed, byte[] info, byte[] aad) throws HpkeException {
        return open(suite, recipient, sealed.enc(), info, aad, sealed.ciphertext());
    }

    /** {@link #open} that also returns {@code Export(exporterContext, length)}: the sender's exported secret. */
    public static OpenedAndExported openAndExport(Suite suite, EcdhKey recipient, byte[] enc, byte[] info, byte[] aad,
            byte[] ciphertext, byte[] exporterContext, int length) throws HpkeException {
        Receiver r = receiver(suite, recipient, enc, info);
        byte[] plaintext = r.open(aad, ciphertext);
        return new OpenedAndExported(plaintext, r.export(exporterContext, length));
    }

    // ---- contexts (RFC 9180 §5) ----

    /**
     * Sets up a sender context to {@code recipient} with a fresh ephemeral key ({@code SetupBaseS}). Send
     * {@link Sender#enc()} once, then each {@link Sender#seal} output, in order.
     *
     * @throws IllegalArgumentException if {@code recipient} is a low-order point
     */
    public static Sender sender(Suite suite, X25519PublicKey recipient, byte[] info) {
        return sender(suite, recipient, info, EcdhKey.generate(RANDOM));
    }

    /** {@code SetupBaseS} with a given ephemeral key: deterministic, for the RFC's test vectors only. */
    static Sender sender(Suite suite, X25519PublicKey recipient, byte[] info, EcdhKey ephemeral) {
        byte[] dh = new byte[EcdhKey.SHARED_SECRET_LENGTH];
        if (!ephemeral.agreeInto(recipient.raw(), dh)) {
            throw new IllegalArgumentException("recipient public key is a low-order X25519 point");
        }
        byte[] enc = ephemeral.publicKey().bytes();
        byte[] sharedSecret = extractAndExpand(dh, enc, recipient.raw());
        return new Sender(suite, sharedSecret, info, enc);
    }

    /**
     * Sets up a receiver context from the sender's {@code enc} ({@code SetupBaseR}); then {@link Receiver#open}
     * the sender's messages in order.
     *
     * @throws HpkeException {@link HpkeException.Reason#MALFORMED} if {@code enc} is not 32 bytes,
     *     {@link HpkeException.Reason#INVALID_ENCAPSULATION} if it is a low-order point
     */
    public static Receiver receiver(Suite suite, EcdhKey recipient, byte[] enc, byte[] info) throws HpkeException {
        if (enc.length != ENC_LENGTH) {
            throw new HpkeException(HpkeException.Reason.MALFORMED);
        }
        byte[] dh = new byte[EcdhKey.SHARED_SECRET_LENGTH];
        if (!recipient.agreeInto(enc, dh)) {
            throw new HpkeException(HpkeException.Reason.INVALID_ENCAPSULATION);
        }
        byte[] sharedSecret = extractAndExpand(dh, enc, recipient.publicKey().raw());
        return new Receiver(suite, sharedSecret, info);
    }

    /**
     * {@code DeriveKeyPair(ikm)} of DHKEM(X25519, HKDF-SHA256), RFC 9180 §7.1.3: the key whose secret is
     * {@code LabeledExpand(LabeledExtract("", "dkp_prk", ikm), "sk", "", 32)}. Deterministic: the same seed gives the
     * same key, in every HPKE implementation.
     *
     * @param ikm input keying material with at least 32 bytes of entropy
     * @throws IllegalArgumentException if {@code ikm} is shorter than 32 bytes
     */
    public static EcdhKey deriveKeyPair(byte[] ikm) {
        if (ikm.length < EcdhKey.SECRET_LENGTH) {
            throw new IllegalArgumentException("DeriveKeyPair needs at least 32 bytes of input keying material, got " + ikm.length);
        }
        byte[] prk = labeledExtract(KEM_SUITE_ID, EMPTY, DKP_PRK, ikm);
        byte[] sk = labeledExpand(KEM_SUITE_ID, prk, SK, EcdhKey.SECRET_LENGTH, EMPTY);
        try {
            return EcdhKey.fromSecret(sk);
        } finally {
            Arrays.fill(prk, (byte) 0);
            Arrays.fill(sk, (byte) 0);
        }
    }

    /**
     * Key material of one HPKE context: the AEAD key, {@code base_nonce}, {@code exporter_secret} and the sequence
     * number of the next message. Not thread-safe: a context is a stream of ordered messages, so confine it to one
     * thread (or lock around it).
     */
    public abstract static sealed class Context permits Sender, Receiver {
        private final Suite suite;
        private final byte[] key;
        private final SecretKeySpec keySpec;
        private final byte[] baseNonce;
        private final byte[] exporterSecret;
        private final byte[] nonce = new byte[NONCE_LENGTH];
        private Cipher cipher;
        private long seq;

        /** The RFC 9180 §5.1 key schedule for mode_base, with empty psk and psk_id. Wipes {@code sharedSecret}. */
        Context(Suite suite, byte[] sharedSecret, byte[] info) {
            this.suite = suite;
            byte[] sid = suite.suiteId;
            byte[] pskIdHash = labeledExtract(sid, EMPTY, PSK_ID_HASH, EMPTY);
            byte[] infoHash = labeledExtract(sid, EMPTY, INFO_HASH, info);
            byte[] keyScheduleContext = new byte[1 + 2 * Hkdf.HASH_LENGTH];
            keyScheduleContext[0] = MODE_BASE;
            System.arraycopy(pskIdHash, 0, keyScheduleContext, 1, Hkdf.HASH_LENGTH);
            System.arraycopy(infoHash, 0, keyScheduleContext, 1 + Hkdf.HASH_LENGTH, Hkdf.HASH_LENGTH);
            byte[] secret = labeledExtract(sid, sharedSecret, SECRET, EMPTY); // psk = ""
            this.key = labeledExpand(sid, secret, KEY, suite.keyLength, keyScheduleContext);
            this.baseNonce = labeledExpand(sid, secret, BASE_NONCE, NONCE_LENGTH, keyScheduleContext);
            this.exporterSecret = labeledExpand(sid, secret, EXP, Hkdf.HASH_LENGTH, keyScheduleContext);
            this.keySpec = new SecretKeySpec(key, "AES");
            Arrays.fill(secret, (byte) 0);
            Arrays.fill(sharedSecret, (byte) 0);
        }

        public Suite suite() {
            return suite;
        }

        /** The sequence number the next message will be sealed or opened with (0 for the first). */
        public long sequence() {
            return seq;
        }

        /**
         * The secret export interface, RFC 9180 §5.3: {@code LabeledExpand(exporter_secret, "sec", exporterContext,
         * length)}. Sender and receiver of the same context get the same bytes; different contexts give
         * independent secrets. Callers must keep the result out of logs.
         *
         * @param exporterContext what the secret is for (e.g. {@code "response key"}), may be empty
         * @param length 0 to {@value Hpke#MAX_EXPORT_LENGTH} bytes
         * @throws IllegalArgumentException if {@code length} is out of range
         */
        public byte[] export(byte[] exporterContext, int length) {
            if (length < 0 || length > MAX_EXPORT_LENGTH) {
                throw new IllegalArgumentException("HPKE export length must be 0.." + MAX_EXPORT_LENGTH + ", got " + length);
            }
            return labeledExpand(suite.suiteId, exporterSecret, SEC, length, exporterContext);
        }

        /**
         * The AES-GCM cipher initialised with {@code base_nonce XOR I2OSP(seq, 12)} (RFC 9180 §5.2
         * {@code ComputeNonce}). Refuses the last sequence number a {@code long} holds, far below the RFC's
         * 2^96 - 1 limit and never reached in practice, so a nonce can never repeat by wrapping around.
         */
        final Cipher cipherFor(int mode) {
            if (seq == Long.MAX_VALUE) {
                throw new IllegalStateException("HPKE context message limit reached (sequence number overflow)");
            }
            computeNonce(seq, nonce);
            try {
                if (cipher == null) {
                    cipher = Cipher.getInstance(AES_GCM);
                }
                cipher.init(mode, keySpec, new GCMParameterSpec(8 * TAG_LENGTH, nonce));
                return cipher;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM is available on every Java platform", e);
            }
        }

        /** {@code xor(base_nonce, I2OSP(seq, Nn))}: the sequence number, big-endian, in the nonce's last 8 bytes. */
        final void computeNonce(long sequence, byte[] out) {
            System.arraycopy(baseNonce, 0, out, 0, NONCE_LENGTH);
            for (int i = 0; i < Long.BYTES; i++) {
                out[NONCE_LENGTH - 1 - i] ^= (byte) (sequence >>> (8 * i));
            }
        }

        final void advance() {
            seq++;
        }

        // Package-private views for the RFC 9180 test vectors.

        byte[] key() {
            return key.clone();
        }

        byte[] baseNonce() {
            return baseNonce.clone();
        }

        byte[] exporterSecret() {
            return exporterSecret.clone();
        }

        void seek(long sequence) {
            seq = sequence;
        }

        @Override
        public String toString() {
            return getClass().getSimpleName() + "[" + suite + ", seq " + seq + ", keys hidden]";
        }
    }

    /** The sending side of a context ({@code ContextS}): seals messages in sequence. */
    public static final class Sender extends Context {
        private final byte[] enc;

        Sender(Suite suite, byte[] sharedSecret, byte[] info, byte[] enc) {
            super(suite, sharedSecret, info);
            this.enc = enc;
        }

        /** The encapsulated key (32 bytes, a copy) the receiver needs to set up its context. */
        public byte[] enc() {
            return enc.clone();
        }

        /**
         * Seals the next message ({@code ContextS.Seal}): AES-GCM with {@code base_nonce XOR seq}, then
         * {@code seq + 1}. The ciphertext is 16 bytes longer than {@code plaintext}.
         *
         * @throws IllegalStateException if the sequence number would overflow
         */
        public byte[] seal(byte[] aad, byte[] plaintext) {
            Cipher c = cipherFor(Cipher.ENCRYPT_MODE);
            try {
                c.updateAAD(aad);
                byte[] ct = c.doFinal(plaintext);
                advance();
                return ct;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM encryption cannot fail on a fresh nonce", e);
            }
        }
    }

    /** The receiving side of a context ({@code ContextR}): opens messages in the order they were sealed. */
    public static final class Receiver extends Context {
        Receiver(Suite suite, byte[] sharedSecret, byte[] info) {
            super(suite, sharedSecret, info);
        }

        /**
         * Opens the next message ({@code ContextR.Open}). The sequence number advances only when the message
         * authenticates, so a forged message does not desynchronise the context.
         *
         * @throws HpkeException {@link HpkeException.Reason#MALFORMED} if shorter than a tag,
         *     {@link HpkeException.Reason#NOT_AUTHENTIC} if it does not authenticate
         * @throws IllegalStateException if the sequence number would overflow
         */
        public byte[] open(byte[] aad, byte[] ciphertext) throws HpkeException {
            if (ciphertext.length < TAG_LENGTH) {
                throw new HpkeException(HpkeException.Reason.MALFORMED);
            }
            Cipher c = cipherFor(Cipher.DECRYPT_MODE);
            try {
                c.updateAAD(aad);
                byte[] pt = c.doFinal(ciphertext);
                advance();
                return pt;
            } catch (AEADBadTagException e) {
                throw new HpkeException(HpkeException.Reason.NOT_AUTHENTIC);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM decryption failed for a reason other than authentication", e);
            }
        }
    }

    // ---- DHKEM and labeled HKDF (RFC 9180 §4, §4.1) ----

    /**
     * {@code ExtractAndExpand(dh, kem_context)} with {@code kem_context = enc || pkRm}: the KEM shared secret
     * ({@code Nsecret} = 32 bytes). Wipes {@code dh}.
     */
    static byte[] extractAndExpand(byte[] dh, byte[] enc, byte[] pkRm) {
        byte[] eaePrk = labeledExtract(KEM_SUITE_ID, EMPTY, EAE_PRK, dh);
        try {
            return labeledExpand(KEM_SUITE_ID, eaePrk, SHARED_SECRET, Hkdf.HASH_LENGTH, enc, pkRm);
        } finally {
            Arrays.fill(eaePrk, (byte) 0);
            Arrays.fill(dh, (byte) 0);
        }
    }

    /** {@code LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" || suite_id || label || ikm)}. */
    private static byte[] labeledExtract(byte[] suiteId, byte[] salt, byte[] label, byte[] ikm) {
        return Hkdf.extractParts(salt, HPKE_V1, suiteId, label, ikm);
    }

    /**
     * {@code LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L)},
     * with {@code info} given as parts to concatenate.
     */
    private static byte[] labeledExpand(byte[] suiteId, byte[] prk, byte[] label, int length, byte[]... info) {
        byte[][] parts = new byte[4 + info.length][];
        parts[0] = new byte[] {(byte) (length >>> 8), (byte) length};
        parts[1] = HPKE_V1;
        parts[2] = suiteId;
        parts[3] = label;
        System.arraycopy(info, 0, parts, 4, info.length);
        return Hkdf.expandParts(prk, length, parts);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
