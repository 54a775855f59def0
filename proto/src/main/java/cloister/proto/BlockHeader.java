package cloister.proto;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.Sha256;
import cloister.crypto.SigningKey;
import java.nio.charset.StandardCharsets;

/**
 * A block header. Encoding (docs/codec.md): version u8 = 1, height u64, parent hash, timestamp u64 (ms since the
 * Unix epoch, set by the proposer), transactions root, state root, worker-messages root, proposer, signature[64].
 * The block hash is SHA-256 of the encoding without the signature; the proposer signs
 * {@code "cloister/block/v1" ‖ hash}.
 *
 * @param transactionsRoot RFC 6962 Merkle root over the block's transaction hashes
 * @param stateRoot        the state root after applying the block
 * @param workerMessagesRoot Merkle root of worker messages in the block (empty tree until workers exist)
 */
public record BlockHeader(long height, Hash parentHash, long timestamp, Hash transactionsRoot, Hash stateRoot,
                          Hash workerMessagesRoot, AccountId proposer, Signature signature) {
    public static final int VERSION = 1;
    public static final int ENCODED_LENGTH = 1 + 8 + 32 + 8 + 32 + 32 + 32 + 32 + 64;
    private static final byte[] DOMAIN = "cloister/block/v1".getBytes(StandardCharsets.US_ASCII);

    public BlockHeader {
        if (height < 0 || timestamp < 0) {
            throw new IllegalArgumentException("height and timestamp must not be negative");
        }
    }

    private CanonicalWriter unsigned() {
        CanonicalWriter w = new CanonicalWriter(ENCODED_LENGTH);
        return w.u8(VERSION).u64(height).hash(parentHash).u64(timestamp).hash(transactionsRoot).hash(stateRoot)
                .hash(workerMessagesRoot).account(proposer);
    }

    public Hash hash() {
        return Sha256.hash(unsigned().toByteArray());
    }

    public byte[] encode() {
        return unsigned().fixed(signature.bytes()).toByteArray();
    }

    /** This header signed by {@code key}, which becomes the proposer. */
    public BlockHeader sealedBy(SigningKey key) {
        BlockHeader withProposer = new BlockHeader(height, parentHash, timestamp, transactionsRoot, stateRoot,
                workerMessagesRoot, key.account(), Signature.EMPTY);
        byte[] sig = key.sign(sealPayload(withProposer.hash()));
        return new BlockHeader(height, parentHash, timestamp, transactionsRoot, stateRoot, workerMessagesRoot,
                key.account(), Signature.of(sig));
    }

    /** Checks the proposer's signature (not whether the proposer is an authority: that is the chain's rule). */
    public boolean verifySeal() {
        return proposer.verify(sealPayload(hash()), signature.bytes());
    }

    private static byte[] sealPayload(Hash hash) {
        byte[] msg = new byte[DOMAIN.length + Hash.LENGTH];
        System.arraycopy(DOMAIN, 0, msg, 0, DOMAIN.length);
        hash.copyTo(msg, DOMAIN.length);
        return msg;
    }

    public static BlockHeader read(CanonicalReader r) {
        int version = r.u8("header version");
        if (version != VERSION) {
            throw new MalformedException("unsupported header version " + version);
        }
        return new BlockHeader(r.u64("height"), r.hash("parent hash"), r.u64("timestamp"), r.hash("transactions root"),
                r.hash("state root"), r.hash("worker-messages root"), r.account("proposer"),
                Signature.of(r.fixed(64, "seal")));
    }

    public static BlockHeader decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        BlockHeader h = read(r);
        r.end("header");
        return h;
    }
}
