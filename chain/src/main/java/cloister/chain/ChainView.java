package cloister.chain;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.proto.Block;
import cloister.proto.BlockHeader;
import cloister.chain.store.StateReader;
import cloister.proto.EventRecord;
import cloister.proto.InboundMessage;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** The read side of a running chain, as the API and tools see it. Thread-safe. */
public interface ChainView {
    ChainInfo info();

    BlockHeader head();

    Optional<Block> blockAt(long height);

    Optional<Block> block(Hash hash);

    /** The account as of the head block (an unknown account has balance 0 and nonce 0). */
    AccountState account(AccountId id);

    /** The nonce for the account's next new transaction, counting its transactions in the pool. */
    long nextNonce(AccountId id);

    /** The events of the block at {@code height}, empty if there is no such block. */
    Optional<List<EventRecord>> events(long height);

    /**
     * The messages the block at {@code height} addresses to workers (their Merkle root is the header's
     * worker-messages root); empty if there is no such block.
     */
    Optional<List<InboundMessage>> workerMessages(long height);

    /** {@link #workerMessages} as stored: the canonical list encoding ({@code InboundMessage.encodeList}). */
    Optional<byte[]> workerMessagesEncoded(long height);

    /** The committed state (as of the head when read): for module reads such as the registry's. */
    StateReader state();

    TxStatus txStatus(Hash txHash);

    /** Calls {@code listener} with each new head, in order, on a chain thread (keep it short). */
    AutoCloseable onNewHead(Consumer<BlockHeader> listener);
}
