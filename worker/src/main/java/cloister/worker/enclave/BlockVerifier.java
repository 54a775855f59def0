package cloister.worker.enclave;

import cloister.common.Hash;
import cloister.proto.BlockHeader;
import cloister.proto.InboundMessage;
import cloister.proto.MalformedException;
import cloister.worker.BlockData;
import cloister.worker.BlockRefusal;
import cloister.worker.EnclaveReply.SyncRefusal;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Checks blocks before the enclave applies them. The state-free part — decoding, the proposer's Ed25519 seal, the
 * worker-messages Merkle root — runs for a whole batch in parallel ({@link #prepare}); the part that depends on
 * the chain so far — next height, parent hash, genesis, proposer in the authority set, which a block's own
 * {@code AuthoritySet} message may change for the next block — runs in order ({@link #check}).
 */
final class BlockVerifier {
    /** Below this many blocks the batch is checked on the calling thread (forking costs more than it saves). */
    private static final int PARALLEL_THRESHOLD = 16;

    /** A decoded block with its state-free checks done. {@code malformed} is non-null if it does not decode. */
    record Prepared(BlockHeader header, Hash hash, List<InboundMessage> messages, boolean sealValid, boolean rootValid,
                    String malformed) {}

    private BlockVerifier() {}

    static List<Prepared> prepare(List<BlockData> blocks) {
        IntStream range = IntStream.range(0, blocks.size());
        if (blocks.size() >= PARALLEL_THRESHOLD) {
            range = range.parallel();
        }
        return range.mapToObj(i -> prepare(blocks.get(i))).toList();
    }

    private static Prepared prepare(BlockData block) {
        BlockHeader h;
        List<InboundMessage> messages;
        try {
            h = BlockHeader.decode(block.header());
            messages = InboundMessage.decodeList(block.messages());
        } catch (MalformedException | IllegalArgumentException e) {
            return new Prepared(null, null, List.of(), false, false, e.getMessage());
        }
        boolean seal = h.height() == 0 || h.verifySeal();
        boolean root = InboundMessage.root(messages).equals(h.workerMessagesRoot());
        return new Prepared(h, h.hash(), messages, seal, root, null);
    }

    /** The first rule the block breaks given the chain so far, or empty if it may be applied. */
    static Optional<SyncRefusal> check(Prepared p, NetworkView view, Hash genesisHash) {
        long expected = view.height + 1;
        if (p.malformed() != null) {
            return refuse(expected, BlockRefusal.MALFORMED_BLOCK, "block " + expected + " does not decode: " + p.malformed());
        }
        BlockHeader h = p.header();
        if (h.height() != expected) {
            return refuse(h.height(), BlockRefusal.WRONG_HEIGHT, "block " + h.height() + ", expected " + expected);
        }
        if (h.height() == 0) {
            if (!p.hash().equals(genesisHash)) {
                return refuse(0, BlockRefusal.WRONG_GENESIS, "genesis " + p.hash().shortHex() + "… is not the network's "
                        + genesisHash.shortHex() + "…");
            }
        } else {
            if (!h.parentHash().equals(view.hash)) {
                return refuse(h.height(), BlockRefusal.WRONG_PARENT, "parent " + h.parentHash().shortHex() + "… is not block "
                        + view.height + " " + view.hash.shortHex() + "…");
            }
            if (!view.authorities.contains(h.proposer())) {
                return refuse(h.height(), BlockRefusal.NOT_AUTHORITY, "proposer " + h.proposer() + " is not a block authority");
            }
            if (!p.sealValid()) {
                return refuse(h.height(), BlockRefusal.BAD_SEAL, "the proposer's seal does not verify");
            }
        }
        if (!p.rootValid()) {
            return refuse(h.height(), BlockRefusal.BAD_MESSAGES_ROOT, "the worker messages do not match the header's root");
        }
        return Optional.empty();
    }

    private static Optional<SyncRefusal> refuse(long height, BlockRefusal reason, String message) {
        return Optional.of(new SyncRefusal(height, reason, message));
    }
}
