package cloister.crypto;

import cloister.common.Hash;
import java.util.List;

/**
 * Merkle tree hash of RFC 6962 §2.1 (Certificate Transparency): leaf = SHA-256(0x00 ‖ data),
 * node = SHA-256(0x01 ‖ left ‖ right), split at the largest power of two below n; the empty tree hashes to
 * SHA-256(""). The domain bytes make a leaf never collide with an inner node.
 */
public final class MerkleTree {
    private static final byte LEAF = 0x00;
    private static final byte NODE = 0x01;

    private MerkleTree() {}

    public static Hash root(List<byte[]> leaves) {
        if (leaves.isEmpty()) {
            return Sha256.hash(new byte[0]);
        }
        Hash[] level = new Hash[leaves.size()];
        for (int i = 0; i < level.length; i++) {
            level[i] = leafHash(leaves.get(i));
        }
        return rootOfLeafHashes(level);
    }

    public static Hash leafHash(byte[] data) {
        return Sha256.hashTagged(LEAF, data);
    }

    public static Hash nodeHash(Hash left, Hash right) {
        byte[] buf = new byte[2 * Hash.LENGTH];
        left.copyTo(buf, 0);
        right.copyTo(buf, Hash.LENGTH);
        return Sha256.hashTagged(NODE, buf);
    }

    /**
     * The root over already-hashed leaves. Bottom-up pairing with the odd last node carried up unchanged gives
     * exactly the RFC 6962 split-at-largest-power-of-two tree.
     */
    public static Hash rootOfLeafHashes(Hash[] leafHashes) {
        if (leafHashes.length == 0) {
            return Sha256.hash(new byte[0]);
        }
        Hash[] level = leafHashes.clone();
        int n = level.length;
        while (n > 1) {
            int half = 0;
            for (int i = 0; i + 1 < n; i += 2) {
                level[half++] = nodeHash(level[i], level[i + 1]);
            }
            if ((n & 1) == 1) {
                level[half++] = level[n - 1];
            }
            n = half;
        }
        return level[0];
    }
}
