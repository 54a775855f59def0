package cloister.proto;

import cloister.common.Hash;
import cloister.crypto.MerkleTree;
import java.util.List;

/**
 * A block: header, then u32 count and each transaction as u32 length ‖ bytes (docs/codec.md).
 */
public record Block(BlockHeader header, List<Transaction> transactions) {
    /** A block's encoding may not exceed this (the proposer stops adding transactions before it). */
    public static final int MAX_BYTES = 8 * 1024 * 1024;

    public Block {
        transactions = List.copyOf(transactions);
    }

    public Hash hash() {
        return header.hash();
    }

    public long height() {
        return header.height();
    }

    /** RFC 6962 Merkle root over the transaction hashes, in block order. */
    public static Hash transactionsRoot(List<Transaction> transactions) {
        Hash[] leaves = new Hash[transactions.size()];
        for (int i = 0; i < leaves.length; i++) {
            leaves[i] = MerkleTree.leafHash(transactions.get(i).hash().bytes());
        }
        return MerkleTree.rootOfLeafHashes(leaves);
    }

    public byte[] encode() {
        int size = BlockHeader.ENCODED_LENGTH + 4;
        for (Transaction t : transactions) {
            size += 4 + t.encodedLength();
        }
        CanonicalWriter w = new CanonicalWriter(size);
        w.fixed(header.encode()).u32(transactions.size());
        for (Transaction t : transactions) {
            w.bytes(t.encode());
        }
        return w.toByteArray();
    }

    public static Block decode(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw new MalformedException("block of " + bytes.length + " bytes exceeds " + MAX_BYTES);
        }
        CanonicalReader r = new CanonicalReader(bytes);
        BlockHeader header = BlockHeader.read(r);
        int count = r.u32("transaction count");
        if (count > bytes.length / 4) {
            throw new MalformedException("transaction count " + count + " cannot fit the block");
        }
        Transaction[] txs = new Transaction[count];
        for (int i = 0; i < count; i++) {
            txs[i] = Transaction.decode(r.bytes(Transaction.MAX_BYTES, "transaction " + i));
        }
        r.end("block");
        return new Block(header, List.of(txs));
    }
}
