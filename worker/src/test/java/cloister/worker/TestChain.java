package cloister.worker;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.MerkleTree;
import cloister.crypto.SigningKey;
import cloister.proto.BlockHeader;
import cloister.proto.InboundMessage;
import cloister.proto.Signature;
import cloister.proto.SignedWorkerMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * A chain built by hand for enclave tests: genesis carries {@code AuthoritySet([alice])}, every later block is
 * sealed by alice and carries exactly the worker messages the test adds — the test plays the registry's part (it
 * "accepts" egress by wrapping it in {@link InboundMessage.Accepted}).
 */
public final class TestChain {
    public static final SigningKey AUTHORITY = DevKeys.get("alice");
    public static final Hash EMPTY_ROOT = MerkleTree.root(List.of());

    private final List<BlockHeader> headers = new ArrayList<>();
    private final List<List<InboundMessage>> messages = new ArrayList<>();

    public TestChain() {
        List<InboundMessage> genesis = List.of(new InboundMessage.AuthoritySet(List.of(AUTHORITY.account())));
        headers.add(new BlockHeader(0, Hash.ZERO, 0, EMPTY_ROOT, Hash.ZERO, InboundMessage.root(genesis),
                AccountId.of(new byte[32]), Signature.EMPTY));
        messages.add(genesis);
    }

    public Hash genesisHash() {
        return headers.get(0).hash();
    }

    public long head() {
        return headers.size() - 1;
    }

    /** Appends a block with {@code list}, sealed by alice. */
    public BlockHeader add(List<InboundMessage> list) {
        BlockHeader parent = headers.get(headers.size() - 1);
        BlockHeader h = next(parent, list).sealedBy(AUTHORITY);
        headers.add(h);
        messages.add(List.copyOf(list));
        return h;
    }

    public BlockHeader add(InboundMessage... list) {
        return add(List.of(list));
    }

    /** Appends a block accepting these egress messages (as the registry would, in order). */
    public BlockHeader accept(List<SignedWorkerMessage> egress) {
        return add(egress.stream().<InboundMessage>map(InboundMessage.Accepted::new).toList());
    }

    /**
     * Syncs every worker and accepts everything they say, round after round, until nobody has anything more to say.
     *
     * @return every message accepted, in order
     */
    public List<SignedWorkerMessage> settle(List<TestWorker> workers) {
        List<SignedWorkerMessage> accepted = new ArrayList<>();
        for (int round = 0; round < 10; round++) {
            List<SignedWorkerMessage> all = new ArrayList<>();
            for (TestWorker w : workers) {
                all.addAll(w.sync(this));
            }
            if (all.isEmpty()) {
                return accepted;
            }
            accepted.addAll(all);
            accept(all);
        }
        throw new AssertionError("the workers keep talking");
    }

    /** An unsealed header that would follow {@code parent} with {@code list} (for tests that forge blocks). */
    public static BlockHeader next(BlockHeader parent, List<InboundMessage> list) {
        long height = parent.height() + 1;
        return new BlockHeader(height, parent.hash(), 1_700_000_000_000L + 1000 * height, EMPTY_ROOT, Hash.ZERO,
                InboundMessage.root(list), AUTHORITY.account(), Signature.EMPTY);
    }

    public BlockHeader header(long height) {
        return headers.get((int) height);
    }

    public BlockData block(long height) {
        return BlockData.of(headers.get((int) height), messages.get((int) height));
    }

    public List<BlockData> blocks(long from, long to) {
        List<BlockData> out = new ArrayList<>();
        for (long h = from; h <= Math.min(to, head()); h++) {
            out.add(block(h));
        }
        return out;
    }
}
