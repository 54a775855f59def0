package cloister.worker.host;

import cloister.chain.SubmitResult;
import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.proto.Transaction;
import cloister.worker.BlockData;
import java.util.List;

/**
 * Where the worker host reads blocks and sends transactions: a node in this process ({@link InProcessChainSource})
 * or, later, a node's HTTP API. Nothing it serves is trusted — the enclave verifies every header and message list.
 */
public interface ChainSource {
    /** The network (hash of block 0). */
    Hash genesisHash();

    /** The height of the newest block. */
    long headHeight();

    /** Headers and worker messages of blocks {@code from..to} (inclusive), in order; fewer if the chain is shorter. */
    List<BlockData> blocks(long from, long to);

    /** Submits a signed transaction to the pool. */
    SubmitResult submit(Transaction tx);

    /** The nonce for {@code account}'s next transaction, counting its pooled ones. */
    long nextNonce(AccountId account);

    /** The smallest fee the chain accepts now. */
    long minimumFee();

    /** Calls {@code listener} when a new block arrives, if the source can tell; polling covers the rest. */
    default AutoCloseable onNewHead(Runnable listener) {
        return () -> {};
    }
}
