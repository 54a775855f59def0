package cloister.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hash;
import cloister.crypto.DevKeys;
import cloister.proto.BlockHeader;
import cloister.proto.InboundMessage;
import cloister.proto.Signature;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every rule of block verification, each broken once: the block is refused with its reason and nothing changes. */
class SyncVerificationTest {
    private TestChain chain;
    private TestWorker w;

    @BeforeEach
    void setUp() {
        chain = new TestChain();
        chain.add();
        chain.add(new InboundMessage.GatekeeperAdded(new TestWorker().start(chain.genesisHash()).id()));
        w = new TestWorker().start(chain.genesisHash());
        w.sync(chain);
        assertEquals(2, w.synced());
    }

    private EnclaveReply.SyncRefusal refused(BlockData block, BlockRefusal reason) {
        Hash before = w.client.status().syncedHash();
        EnclaveReply.Synced s = w.client.sync(List.of(block));
        assertTrue(s.refusal().isPresent(), "expected " + reason);
        assertEquals(reason, s.refusal().get().reason(), s.refusal().get().message());
        assertEquals(2, s.height());
        assertEquals(before, w.client.status().syncedHash());
        return s.refusal().get();
    }

    private BlockHeader nextUnsealed(List<InboundMessage> messages) {
        return TestChain.next(chain.header(2), messages);
    }

    @Test
    void aBadSealIsRefused() {
        BlockHeader good = nextUnsealed(List.of()).sealedBy(TestChain.AUTHORITY);
        byte[] sig = good.signature().bytes();
        sig[7] ^= 1;
        BlockHeader forged = new BlockHeader(good.height(), good.parentHash(), good.timestamp(), good.transactionsRoot(),
                good.stateRoot(), good.workerMessagesRoot(), good.proposer(), Signature.of(sig));
        refused(BlockData.of(forged, List.of()), BlockRefusal.BAD_SEAL);
        // Same header, valid seal, but the timestamp changed after sealing.
        BlockHeader moved = new BlockHeader(good.height(), good.parentHash(), good.timestamp() + 1, good.transactionsRoot(),
                good.stateRoot(), good.workerMessagesRoot(), good.proposer(), good.signature());
        refused(BlockData.of(moved, List.of()), BlockRefusal.BAD_SEAL);
    }

    @Test
    void aProposerOutsideTheAuthoritySetIsRefused() {
        BlockHeader byBob = nextUnsealed(List.of()).sealedBy(DevKeys.get("bob"));
        assertTrue(byBob.verifySeal());
        refused(BlockData.of(byBob, List.of()), BlockRefusal.NOT_AUTHORITY);
    }

    @Test
    void theAuthoritySetFollowsTheChain() {
        chain.add(new InboundMessage.AuthoritySet(List.of(DevKeys.get("bob").account())));
        w.sync(chain);
        BlockHeader byAlice = TestChain.next(chain.header(3), List.of()).sealedBy(TestChain.AUTHORITY);
        assertEquals(BlockRefusal.NOT_AUTHORITY, w.client.sync(List.of(BlockData.of(byAlice, List.of()))).refusal().orElseThrow().reason());
        BlockHeader byBob = TestChain.next(chain.header(3), List.of()).sealedBy(DevKeys.get("bob"));
        assertTrue(w.client.sync(List.of(BlockData.of(byBob, List.of()))).refusal().isEmpty());
        assertEquals(4, w.synced());
    }

    @Test
    void aWrongParentIsRefused() {
        BlockHeader h = TestChain.next(chain.header(1), List.of());
        BlockHeader atHeight3 = new BlockHeader(3, h.parentHash(), h.timestamp(), h.transactionsRoot(), h.stateRoot(),
                h.workerMessagesRoot(), h.proposer(), Signature.EMPTY).sealedBy(TestChain.AUTHORITY);
        refused(BlockData.of(atHeight3, List.of()), BlockRefusal.WRONG_PARENT);
    }

    @Test
    void messagesThatDoNotMatchTheRootAreRefused() {
        List<InboundMessage> claimed = List.of(new InboundMessage.GatekeeperAdded(w.id()));
        BlockHeader h = nextUnsealed(claimed).sealedBy(TestChain.AUTHORITY);
        refused(BlockData.of(h, List.of()), BlockRefusal.BAD_MESSAGES_ROOT);
        refused(BlockData.of(h, List.of(new InboundMessage.GatekeeperAdded(new TestWorker().start(chain.genesisHash()).id()))),
                BlockRefusal.BAD_MESSAGES_ROOT);
        assertTrue(w.client.sync(List.of(BlockData.of(h, claimed))).refusal().isEmpty());
    }

    @Test
    void aGapAndAReplayAreRefused() {
        chain.add();
        chain.add();
        refused(chain.block(4), BlockRefusal.WRONG_HEIGHT);
        refused(chain.block(2), BlockRefusal.WRONG_HEIGHT);
        assertEquals(4, w.client.sync(chain.blocks(3, 4)).height());
    }

    @Test
    void malformedBytesAreRefused() {
        refused(new BlockData(new byte[] {1, 2, 3}, InboundMessage.encodeList(List.of())), BlockRefusal.MALFORMED_BLOCK);
        BlockHeader h = nextUnsealed(List.of()).sealedBy(TestChain.AUTHORITY);
        refused(new BlockData(h.encode(), new byte[] {0, 0, 0, 1, 0x42}), BlockRefusal.MALFORMED_BLOCK);
    }

    @Test
    void anotherNetworksGenesisIsRefused() {
        TestWorker fresh = new TestWorker().start(Hash.ZERO);
        EnclaveReply.Synced s = fresh.client.sync(List.of(chain.block(0)));
        assertEquals(BlockRefusal.WRONG_GENESIS, s.refusal().orElseThrow().reason());
        assertEquals(-1, s.height());
    }

    @Test
    void aRefusalInTheMiddleOfABatchKeepsTheBlocksBeforeIt() {
        for (int i = 0; i < 40; i++) {
            chain.add();
        }
        List<BlockData> batch = new java.util.ArrayList<>(chain.blocks(3, 42));
        BlockHeader bad = chain.header(20);
        batch.set(17, BlockData.of(new BlockHeader(bad.height(), bad.parentHash(), bad.timestamp(), bad.transactionsRoot(),
                bad.stateRoot(), bad.workerMessagesRoot(), bad.proposer(), Signature.EMPTY), List.of()));
        EnclaveReply.Synced s = w.client.sync(batch);
        assertEquals(BlockRefusal.BAD_SEAL, s.refusal().orElseThrow().reason());
        assertEquals(20, s.refusal().get().height());
        assertEquals(19, s.height());
        assertEquals(chain.header(19).hash(), s.hash());
        assertEquals(42, w.client.sync(chain.blocks(20, 42)).height());
    }
}
