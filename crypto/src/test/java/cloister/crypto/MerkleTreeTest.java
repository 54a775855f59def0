package cloister.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import cloister.common.Hash;
import cloister.common.Hex;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * RFC 6962 §2.1 Merkle tree hash against the Certificate Transparency reference test vectors
 * (the 8 leaves and roots of certificate-transparency's merkle_tree_test / testonly.RootHashes).
 */
class MerkleTreeTest {
    private static final String[] CT_LEAVES = {
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
    };
    /** CT_ROOTS[n] is the root over the first n leaves; index 0 is the empty tree, SHA-256(""). */
    private static final String[] CT_ROOTS = {
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    };

    @Test
    void ctReferenceRootsForZeroToEightLeaves() {
        for (int n = 0; n <= CT_LEAVES.length; n++) {
            List<byte[]> leaves = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                leaves.add(Hex.decode(CT_LEAVES[i]));
            }
            assertEquals(CT_ROOTS[n], MerkleTree.root(leaves).hex(), n + " leaves");
        }
    }

    @Test
    void emptyTreeIsSha256OfNothing() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", MerkleTree.root(List.of()).hex());
        assertEquals(MerkleTree.root(List.of()), MerkleTree.rootOfLeafHashes(new Hash[0]));
    }

    @Test
    void leafAndNodeHashesAreDomainSeparated() {
        // RFC 6962: leaf = SHA-256(0x00 || d), node = SHA-256(0x01 || l || r). One leaf "" is 6e340b9c...
        assertEquals(CT_ROOTS[1], MerkleTree.leafHash(new byte[0]).hex());
        Hash l = MerkleTree.leafHash(new byte[0]);
        Hash r = MerkleTree.leafHash(new byte[] {0});
        assertEquals(CT_ROOTS[2], MerkleTree.nodeHash(l, r).hex());
        byte[] concat = new byte[64];
        l.copyTo(concat, 0);
        r.copyTo(concat, 32);
        assertNotEquals(MerkleTree.nodeHash(l, r), MerkleTree.leafHash(concat), "a node never equals a leaf of the same bytes");
    }

    @Test
    void matchesARecursiveRfc6962ReferenceForManySizes() throws NoSuchAlgorithmException {
        Random random = new Random(6962);
        for (int n = 0; n <= 70; n++) {
            List<byte[]> leaves = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] b = new byte[random.nextInt(40)];
                random.nextBytes(b);
                leaves.add(b);
            }
            assertArrayEquals(referenceMth(leaves), MerkleTree.root(leaves).bytes(), n + " leaves");
        }
    }

    @Test
    void rootOfLeafHashesDoesNotModifyItsInput() {
        Hash[] leaves = new Hash[5];
        for (int i = 0; i < leaves.length; i++) {
            leaves[i] = MerkleTree.leafHash(Hex.decode(CT_LEAVES[i]));
        }
        Hash[] copy = leaves.clone();
        assertEquals(CT_ROOTS[5], MerkleTree.rootOfLeafHashes(leaves).hex());
        assertArrayEquals(copy, leaves);
    }

    @Test
    void orderMatters() {
        List<byte[]> ab = List.of(new byte[] {1}, new byte[] {2});
        List<byte[]> ba = List.of(new byte[] {2}, new byte[] {1});
        assertNotEquals(MerkleTree.root(ab), MerkleTree.root(ba));
    }

    /** MTH(D[n]) exactly as written in RFC 6962 §2.1, with the JDK's SHA-256 (independent of the code under test). */
    private static byte[] referenceMth(List<byte[]> d) throws NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        int n = d.size();
        if (n == 0) {
            return md.digest();
        }
        if (n == 1) {
            md.update((byte) 0);
            return md.digest(d.get(0));
        }
        int k = Integer.highestOneBit(n - 1); // largest power of two smaller than n
        byte[] left = referenceMth(d.subList(0, k));
        byte[] right = referenceMth(d.subList(k, n));
        md.update((byte) 1);
        md.update(left);
        return md.digest(right);
    }
}
