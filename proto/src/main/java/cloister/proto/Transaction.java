package cloister.proto;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.Sha256;
import cloister.crypto.SigningKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A signed transaction. Encoding (docs/codec.md): version u8 = 1, genesis hash, sender, nonce u64, fee u64, call,
 * signature[64]. The signature is Ed25519 by the sender over {@code "cloister/tx/v1" ‖ encoding-without-signature},
 * so it covers the network (genesis hash) and cannot be replayed on another one. The hash is SHA-256 of the whole
 * encoding. Instances are immutable and keep their encoding.
 */
public final class Transaction {
    public static final int VERSION = 1;
    /** Larger encodings are refused before decoding ({@code OVERSIZED}). */
    public static final int MAX_BYTES = 256 * 1024;
    private static final byte[] DOMAIN = "cloister/tx/v1".getBytes(StandardCharsets.US_ASCII);

    private final Hash genesisHash;
    private final AccountId sender;
    private final long nonce;
    private final long fee;
    private final Call call;
    private final Signature signature;
    private final byte[] encoded;
    private final int unsignedLength;
    private final Hash hash;

    private Transaction(Hash genesisHash, AccountId sender, long nonce, long fee, Call call, Signature signature,
                        byte[] encoded, int unsignedLength) {
        this.genesisHash = genesisHash;
        this.sender = sender;
        this.nonce = nonce;
        this.fee = fee;
        this.call = call;
        this.signature = signature;
        this.encoded = encoded;
        this.unsignedLength = unsignedLength;
        this.hash = Sha256.hash(encoded);
    }

    /** Builds and signs a transaction. */
    public static Transaction sign(Hash genesisHash, SigningKey key, long nonce, long fee, Call call) {
        if (nonce < 0 || fee < 0) {
            throw new IllegalArgumentException("nonce and fee must not be negative");
        }
        CanonicalWriter w = unsignedWriter(genesisHash, key.account(), nonce, fee, call);
        int unsignedLength = w.size();
        Signature sig = Signature.of(key.sign(payload(w.toByteArray())));
        w.fixed(sig.bytes());
        return new Transaction(genesisHash, key.account(), nonce, fee, call, sig, w.toByteArray(), unsignedLength);
    }

    /** A copy with another signature: for tests of signature checking. */
    public Transaction withSignature(Signature other) {
        byte[] bytes = Arrays.copyOf(encoded, encoded.length);
        System.arraycopy(other.bytes(), 0, bytes, unsignedLength, 64);
        return new Transaction(genesisHash, sender, nonce, fee, call, other, bytes, unsignedLength);
    }

    private static CanonicalWriter unsignedWriter(Hash genesisHash, AccountId sender, long nonce, long fee, Call call) {
        CanonicalWriter w = new CanonicalWriter(200);
        w.u8(VERSION).hash(genesisHash).account(sender).u64(nonce).u64(fee);
        CallCodec.write(w, Objects.requireNonNull(call));
        return w;
    }

    private static byte[] payload(byte[] unsigned) {
        byte[] msg = new byte[DOMAIN.length + unsigned.length];
        System.arraycopy(DOMAIN, 0, msg, 0, DOMAIN.length);
        System.arraycopy(unsigned, 0, msg, DOMAIN.length, unsigned.length);
        return msg;
    }

    /**
     * Decodes strictly: a valid result re-encodes to exactly {@code bytes}.
     *
     * @throws MalformedException if the bytes are not one canonical transaction (oversize included)
     */
    public static Transaction decode(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw new MalformedException("transaction of " + bytes.length + " bytes exceeds " + MAX_BYTES);
        }
        CanonicalReader r = new CanonicalReader(bytes);
        int version = r.u8("transaction version");
        if (version != VERSION) {
            throw new MalformedException("unsupported transaction version " + version);
        }
        Hash genesis = r.hash("genesis hash");
        AccountId sender = r.account("sender");
        long nonce = r.u64("nonce");
        long fee = r.u64("fee");
        Call call;
        try {
            call = CallCodec.read(r);
        } catch (IllegalArgumentException e) {
            throw new MalformedException("call: " + e.getMessage());
        }
        int unsignedLength = r.position();
        Signature sig = Signature.of(r.fixed(64, "signature"));
        r.end("transaction");
        return new Transaction(genesis, sender, nonce, fee, call, sig, bytes.clone(), unsignedLength);
    }

    /** The exact bytes the signature covers (domain ‖ unsigned encoding). */
    public byte[] signingPayload() {
        return payload(Arrays.copyOf(encoded, unsignedLength));
    }

    /** Checks the sender's Ed25519 signature. Pure: the same bytes always give the same answer. */
    public boolean verifySignature() {
        return sender.verify(signingPayload(), signature.bytes());
    }

    public byte[] encode() {
        return encoded.clone();
    }

    public int encodedLength() {
        return encoded.length;
    }

    public Hash hash() {
        return hash;
    }

    public Hash genesisHash() {
        return genesisHash;
    }

    public AccountId sender() {
        return sender;
    }

    public long nonce() {
        return nonce;
    }

    public long fee() {
        return fee;
    }

    public Call call() {
        return call;
    }

    public Signature signature() {
        return signature;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Transaction t && Arrays.equals(encoded, t.encoded);
    }

    @Override
    public int hashCode() {
        return hash.hashCode();
    }

    @Override
    public String toString() {
        return "Transaction[" + hash.shortHex() + " " + call.name() + " from " + sender.address() + " nonce " + nonce + "]";
    }
}
