package cloister.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import cloister.common.Hash;
import cloister.crypto.MerkleTree;
import cloister.crypto.SigningKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlockCodecTest {
    private static final long SEED = 0xB10CL;
    private static final int UNSIGNED_LENGTH = BlockHeader.ENCODED_LENGTH - 64;

    @Test
    void sealedHeadersRoundTripAndVerify() throws Exception {
        Arbitrary arb = new Arbitrary(SEED);
        for (int round = 0; round < 300; round++) {
            SigningKey key = arb.signer();
            BlockHeader header = arb.unsealedHeader().sealedBy(key);
            String where = "round " + round + " (seed " + SEED + ")";
            assertEquals(key.account(), header.proposer(), where);
            assertTrue(header.verifySeal(), where);
            byte[] bytes = header.encode();
            assertEquals(BlockHeader.ENCODED_LENGTH, bytes.length, where);
            BlockHeader back = BlockHeader.decode(bytes);
            assertEquals(header, back, where);
            assertArrayEquals(bytes, back.encode(), where);
            assertTrue(back.verifySeal(), where);
            // The documented hash and seal, computed independently of BlockHeader.
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(Arrays.copyOf(bytes, UNSIGNED_LENGTH));
            assertArrayEquals(hash, header.hash().bytes(), where);
            byte[] sealPayload = TransactionCodecTest.concat("cloister/block/v1".getBytes(StandardCharsets.US_ASCII), hash);
            assertTrue(key.account().verify(sealPayload, header.signature().bytes()), where);
        }
    }

    @Test
    void theSealDoesNotChangeTheHash() {
        Arbitrary arb = new Arbitrary(SEED + 1);
        BlockHeader unsealed = arb.unsealedHeader();
        SigningKey key = arb.signer();
        BlockHeader sealed = unsealed.sealedBy(key);
        BlockHeader unsealedWithProposer = new BlockHeader(unsealed.height(), unsealed.parentHash(), unsealed.timestamp(),
                unsealed.transactionsRoot(), unsealed.stateRoot(), unsealed.workerMessagesRoot(), key.account(), Signature.EMPTY);
        assertEquals(unsealedWithProposer.hash(), sealed.hash());
        assertFalse(unsealedWithProposer.verifySeal());
    }

    @Test
    void everySingleByteMutationOfASealedHeaderIsRefused() {
        Arbitrary arb = new Arbitrary(SEED + 2);
        BlockHeader header = arb.unsealedHeader().sealedBy(arb.signer());
        byte[] bytes = header.encode();
        int checked = 0;
        for (int pos = 0; pos < bytes.length; pos++) {
            for (int mask : new int[] {0x01, 0x80, 0xff}) {
                byte[] m = bytes.clone();
                m[pos] ^= (byte) mask;
                checked++;
                try {
                    BlockHeader decoded = BlockHeader.decode(m);
                    if (decoded.verifySeal()) {
                        fail("mutated header accepted: position " + pos + " xor 0x" + Integer.toHexString(mask));
                    }
                } catch (MalformedException expected) {
                    // refused
                }
            }
        }
        assertEquals(3 * BlockHeader.ENCODED_LENGTH, checked);
    }

    @Test
    void headerTruncationTrailingAndVersionAreRefused() {
        byte[] bytes = new Arbitrary(SEED + 3).unsealedHeader().encode();
        for (int len = 0; len < bytes.length; len++) {
            byte[] shorter = Arrays.copyOf(bytes, len);
            assertThrows(MalformedException.class, () -> BlockHeader.decode(shorter), "length " + len);
        }
        assertThrows(MalformedException.class, () -> BlockHeader.decode(Arrays.copyOf(bytes, bytes.length + 1)));
        byte[] v2 = bytes.clone();
        v2[0] = 2;
        assertThrows(MalformedException.class, () -> BlockHeader.decode(v2));
    }

    @Test
    void blocksWithZeroToManyTransactionsRoundTrip() {
        Arbitrary arb = new Arbitrary(SEED + 4);
        for (int n = 0; n <= 24; n++) {
            List<Transaction> txs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                txs.add(arb.transaction());
            }
            BlockHeader header = new BlockHeader(n, arb.hash(), arb.u64(), Block.transactionsRoot(txs), arb.hash(), arb.hash(),
                    arb.account(), Signature.EMPTY).sealedBy(arb.signer());
            Block block = new Block(header, txs);
            byte[] bytes = block.encode();
            int expectedLength = BlockHeader.ENCODED_LENGTH + 4 + txs.stream().mapToInt(t -> 4 + t.encodedLength()).sum();
            assertEquals(expectedLength, bytes.length, n + " transactions");
            Block back = Block.decode(bytes);
            assertEquals(block, back, n + " transactions");
            assertArrayEquals(bytes, back.encode(), n + " transactions");
            assertEquals(header.hash(), back.hash());
            assertEquals(n, back.height());
            assertEquals(Block.transactionsRoot(back.transactions()), back.header().transactionsRoot());
            assertTrue(back.transactions().stream().allMatch(Transaction::verifySignature));
        }
    }

    @Test
    void transactionsRootIsTheRfc6962RootOverTransactionHashes() {
        Arbitrary arb = new Arbitrary(SEED + 5);
        assertEquals(MerkleTree.root(List.of()), Block.transactionsRoot(List.of()));
        for (int n = 1; n <= 9; n++) {
            List<Transaction> txs = new ArrayList<>();
            List<byte[]> leaves = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Transaction t = arb.transaction();
                txs.add(t);
                leaves.add(t.hash().bytes());
            }
            assertEquals(MerkleTree.root(leaves), Block.transactionsRoot(txs), n + " transactions");
        }
    }

    @Test
    void malformedBlocksAreRefused() {
        Arbitrary arb = new Arbitrary(SEED + 6);
        List<Transaction> txs = List.of(arb.transaction(), arb.transaction(), arb.transaction());
        Block block = new Block(arb.unsealedHeader().sealedBy(arb.signer()), txs);
        byte[] bytes = block.encode();
        for (int len = 0; len < bytes.length; len++) {
            byte[] shorter = Arrays.copyOf(bytes, len);
            assertThrows(MalformedException.class, () -> Block.decode(shorter), "length " + len);
        }
        assertThrows(MalformedException.class, () -> Block.decode(Arrays.copyOf(bytes, bytes.length + 1)), "trailing byte");

        int countOffset = BlockHeader.ENCODED_LENGTH;
        byte[] hugeCount = bytes.clone();
        hugeCount[countOffset] = 0x7f;
        assertTrue(assertThrows(MalformedException.class, () -> Block.decode(hugeCount)).getMessage().contains("cannot fit"));
        byte[] negativeCount = bytes.clone();
        negativeCount[countOffset] = (byte) 0x80;
        assertThrows(MalformedException.class, () -> Block.decode(negativeCount));

        byte[] innerTrailing = bytes.clone(); // first transaction's length one too small: its signature is cut
        innerTrailing[countOffset + 4 + 3]--;
        assertThrows(MalformedException.class, () -> Block.decode(innerTrailing));

        assertThrows(MalformedException.class, () -> Block.decode(new byte[Block.MAX_BYTES + 1]));
    }

    @Test
    void blockTransactionsAreImmutable() {
        Arbitrary arb = new Arbitrary(SEED + 7);
        List<Transaction> txs = new ArrayList<>(List.of(arb.transaction()));
        Block block = new Block(arb.unsealedHeader(), txs);
        txs.add(arb.transaction());
        assertEquals(1, block.transactions().size());
        assertThrows(UnsupportedOperationException.class, () -> block.transactions().add(txs.get(0)));
    }

    @Test
    void headerRefusesNegativeHeightOrTimestamp() {
        assertThrows(IllegalArgumentException.class,
                () -> new BlockHeader(-1, Hash.ZERO, 0, Hash.ZERO, Hash.ZERO, Hash.ZERO, new Arbitrary(1).account(), Signature.EMPTY));
        assertThrows(IllegalArgumentException.class,
                () -> new BlockHeader(0, Hash.ZERO, -1, Hash.ZERO, Hash.ZERO, Hash.ZERO, new Arbitrary(1).account(), Signature.EMPTY));
    }
}
