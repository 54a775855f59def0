package cloister.chain;

import cloister.chain.runtime.BlockState;
import cloister.chain.runtime.ChainRuntime;
import cloister.chain.runtime.SignatureVerifier;
import cloister.chain.runtime.balances.Balances;
import cloister.chain.runtime.system.SystemParams;
import cloister.chain.store.ChainStore;
import cloister.chain.store.PreparedState;
import cloister.chain.store.StateReader;
import cloister.chain.store.TxLocation;
import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.crypto.AccountId;
import cloister.crypto.SigningKey;
import cloister.proto.BalancesCall;
import cloister.proto.Block;
import cloister.proto.BlockHeader;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.InboundMessage;
import cloister.proto.MalformedException;
import cloister.proto.Signature;
import cloister.proto.Transaction;
import cloister.proto.TxRejection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's chain: the store, the pool and the runtime, with the rules that join them. Reads are lock-free
 * against the committed store; proposing and importing are serialized.
 */
public final class Chain implements ChainView, TxSubmitter, BlockProduction {
    private static final Logger LOG = LoggerFactory.getLogger(Chain.class);
    private static final int MAX_BLOCK_TX_BYTES = Block.MAX_BYTES - BlockHeader.ENCODED_LENGTH - 4;

    /** A block this node proposed, with its already computed execution, so importing it need not re-execute. */
    private record Proposal(Hash hash, PreparedState prepared, List<EventRecord> events, List<InboundMessage> messages) {}

    private final ChainStore store;
    private final ChainRuntime runtime;
    private final TransactionPool pool;
    private final ChainConfig config;
    private final String sealing;
    private final Object importLock = new Object();
    private final CopyOnWriteArrayList<Consumer<BlockHeader>> headListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Runnable> arrivalListeners = new CopyOnWriteArrayList<>();
    private volatile BlockHeader head;
    private volatile long minimumFee;
    private Proposal lastProposal;

    /**
     * @param store   an initialized store (genesis committed)
     * @param sealing the consensus engine's name for {@link ChainInfo} ({@code dev})
     */
    public Chain(ChainStore store, ChainConfig config, String sealing) {
        this.store = store;
        this.config = config;
        this.sealing = sealing;
        Block genesis = store.blockAt(0).orElseThrow(() -> new IllegalStateException("store has no genesis block"));
        this.runtime = new ChainRuntime(genesis.hash(), new SignatureVerifier(4 * config.poolCapacity()));
        this.pool = new TransactionPool(config.poolCapacity());
        this.head = store.head().orElseThrow();
        this.minimumFee = SystemParams.minimumFee(store.state());
    }

    // ---- submission ----

    @Override
    public SubmitResult submit(byte[] bytes) {
        if (bytes.length > Transaction.MAX_BYTES) {
            return new SubmitResult.Rejected(TxRejection.OVERSIZED,
                    "transaction of " + bytes.length + " bytes exceeds the limit of " + Transaction.MAX_BYTES);
        }
        Transaction tx;
        try {
            tx = Transaction.decode(bytes);
        } catch (MalformedException e) {
            return new SubmitResult.Rejected(TxRejection.MALFORMED, e.getMessage());
        }
        if (!tx.genesisHash().equals(runtime.genesisHash())) {
            return new SubmitResult.Rejected(TxRejection.WRONG_GENESIS, "signed for the network with genesis "
                    + tx.genesisHash().shortHex() + "…, this network's genesis is " + runtime.genesisHash().shortHex() + "…");
        }
        if (pool.contains(tx.hash()) || store.tx(tx.hash()).isPresent()) {
            return new SubmitResult.Rejected(TxRejection.ALREADY_KNOWN, "transaction " + tx.hash() + " is already known");
        }
        long minFee = minimumFee;
        if (tx.fee() < minFee) {
            return new SubmitResult.Rejected(TxRejection.FEE_TOO_LOW, "fee " + Tokens.display(tx.fee()) + " is below the minimum " + Tokens.display(minFee));
        }
        if (tx.call() instanceof BalancesCall.Transfer t && t.amount() == 0) {
            return new SubmitResult.Rejected(TxRejection.INVALID_CALL, "a transfer must move a positive amount");
        }
        // The relayed worker message's signature is checked here too, off the block-production path, and remembered.
        if (!runtime.signatures().verifyWithContent(tx)) {
            return new SubmitResult.Rejected(TxRejection.BAD_SIGNATURE, "the signature does not verify for sender " + tx.sender());
        }
        SubmitResult.Rejected rejected = pool.add(tx, () -> Balances.account(store.state(), tx.sender()));
        if (rejected != null) {
            return rejected;
        }
        for (Runnable r : arrivalListeners) {
            r.run();
        }
        return new SubmitResult.Accepted(tx.hash());
    }

    /**
     * Submits several transactions in the given order, as {@link #submit} one by one, after verifying their
     * signatures in parallel over the available cores (the verdicts are remembered, so each {@code submit} finds
     * its signature checked). For a relay that hands over a batch: block contents do not depend on thread timing.
     */
    public List<SubmitResult> submitAll(List<byte[]> transactions) {
        List<Transaction> decodable = new ArrayList<>(transactions.size());
        for (byte[] bytes : transactions) {
            if (bytes.length <= Transaction.MAX_BYTES) {
                try {
                    decodable.add(Transaction.decode(bytes));
                } catch (MalformedException e) {
                    // submit() gives the reason
                }
            }
        }
        runtime.signatures().verifyAll(decodable);
        List<SubmitResult> results = new ArrayList<>(transactions.size());
        for (byte[] bytes : transactions) {
            results.add(submit(bytes));
        }
        return results;
    }

    // ---- block production ----

    @Override
    public BlockHeader head() {
        return head;
    }

    @Override
    public boolean hasReadyTransactions() {
        StateReader state = store.state();
        return pool.size() > 0 && pool.hasReady(nonces(state));
    }

    @Override
    public void onTransactionArrival(Runnable listener) {
        arrivalListeners.add(listener);
    }

    private static ToLongFunction<AccountId> nonces(StateReader state) {
        return id -> Balances.account(state, id).nonce();
    }

    @Override
    public Block propose(long timestampMillis, SigningKey sealer) {
        synchronized (importLock) {
            BlockHeader parent = head;
            StateReader base = store.state();
            List<Transaction> candidates = pool.select(nonces(base), config.maxBlockTransactions(), MAX_BLOCK_TX_BYTES);
            long timestamp = Math.max(timestampMillis, parent.timestamp());
            BlockState s = new BlockState(base, parent.height() + 1, timestamp);
            runtime.beginBlock(s, parent.hash());
            List<Transaction> included = new ArrayList<>(candidates.size());
            List<Transaction> dropped = new ArrayList<>();
            Set<AccountId> skipped = new HashSet<>();
            for (Transaction tx : candidates) {
                if (skipped.contains(tx.sender())) {
                    continue;
                }
                ChainRuntime.Inapplicable bad = runtime.apply(s, included.size(), tx, runtime.signatures().verify(tx));
                if (bad == null) {
                    included.add(tx);
                } else {
                    // Only this transaction is at fault; the sender's later ones wait for a replacement nonce.
                    LOG.debug("dropping {}: {} {}", tx, bad.reason(), bad.message());
                    dropped.add(tx);
                    skipped.add(tx.sender());
                }
            }
            PreparedState prepared = store.prepare(s.changes());
            List<InboundMessage> messages = s.workerMessages();
            BlockHeader header = new BlockHeader(parent.height() + 1, parent.hash(), timestamp,
                    Block.transactionsRoot(included), prepared.root(), InboundMessage.root(messages), sealer.account(), Signature.EMPTY)
                    .sealedBy(sealer);
            Block block = new Block(header, included);
            lastProposal = new Proposal(block.hash(), prepared, s.events(), messages);
            pool.remove(dropped);
            return block;
        }
    }

    @Override
    public ImportResult importBlock(Block block) {
        BlockHeader h = block.header();
        synchronized (importLock) {
            BlockHeader parent = head;
            ImportResult.Rejected bad = checkHeader(parent, h, block);
            if (bad != null) {
                return bad;
            }
            Proposal p = lastProposal;
            lastProposal = null;
            PreparedState prepared;
            List<EventRecord> events;
            List<InboundMessage> messages;
            if (p != null && p.hash().equals(block.hash())) {
                prepared = p.prepared();
                events = p.events();
                messages = p.messages();
            } else {
                ChainRuntime.BlockOutcome outcome = runtime.executeBlock(store.state(), h.parentHash(), h.height(), h.timestamp(), block.transactions());
                if (outcome instanceof ChainRuntime.Inapplicable inapplicable) {
                    return new ImportResult.Rejected(BlockRejection.INVALID_TRANSACTION, "transaction " + inapplicable.index()
                            + ": " + inapplicable.reason().code() + ": " + inapplicable.message());
                }
                BlockState s = ((ChainRuntime.Execution) outcome).state();
                prepared = store.prepare(s.changes());
                events = s.events();
                messages = s.workerMessages();
                if (!prepared.root().equals(h.stateRoot())) {
                    return new ImportResult.Rejected(BlockRejection.BAD_STATE_ROOT,
                            "state root " + h.stateRoot() + " in the header, " + prepared.root() + " computed");
                }
                Hash messagesRoot = InboundMessage.root(messages);
                if (!messagesRoot.equals(h.workerMessagesRoot())) {
                    return new ImportResult.Rejected(BlockRejection.BAD_WORKER_MESSAGES_ROOT,
                            "worker-messages root " + h.workerMessagesRoot() + " in the header, " + messagesRoot + " computed");
                }
            }
            store.commit(block, prepared, events, messages);
            head = h;
            StateReader state = store.state();
            minimumFee = SystemParams.minimumFee(state);
            pool.remove(block.transactions());
            Set<AccountId> senders = new LinkedHashSet<>();
            block.transactions().forEach(t -> senders.add(t.sender()));
            pool.pruneStale(senders, nonces(state));
            if (!block.transactions().isEmpty()) {
                LOG.info("block #{} {} with {} transactions, {} pooled", h.height(), block.hash().shortHex(),
                        block.transactions().size(), pool.size());
            }
            for (Consumer<BlockHeader> l : headListeners) {
                try {
                    l.accept(h);
                } catch (RuntimeException e) {
                    LOG.warn("a head listener failed", e);
                }
            }
            return new ImportResult.Imported(h);
        }
    }

    private ImportResult.Rejected checkHeader(BlockHeader parent, BlockHeader h, Block block) {
        if (h.height() != parent.height() + 1) {
            return new ImportResult.Rejected(BlockRejection.WRONG_HEIGHT, "height " + h.height() + ", expected " + (parent.height() + 1));
        }
        if (!h.parentHash().equals(parent.hash())) {
            return new ImportResult.Rejected(BlockRejection.UNKNOWN_PARENT, "parent " + h.parentHash() + " is not the head " + parent.hash());
        }
        if (h.timestamp() < parent.timestamp()) {
            return new ImportResult.Rejected(BlockRejection.BAD_TIMESTAMP, "timestamp goes backwards");
        }
        if (!SystemParams.authorities(store.state()).contains(h.proposer())) {
            return new ImportResult.Rejected(BlockRejection.NOT_AUTHORITY, h.proposer() + " is not a block authority");
        }
        if (!h.verifySeal()) {
            return new ImportResult.Rejected(BlockRejection.BAD_SEAL, "the proposer's seal does not verify");
        }
        if (!Block.transactionsRoot(block.transactions()).equals(h.transactionsRoot())) {
            return new ImportResult.Rejected(BlockRejection.BAD_TRANSACTIONS_ROOT, "transactions root does not match the body");
        }
        return null;
    }

    // ---- reads ----

    @Override
    public ChainInfo info() {
        StateReader s = store.state();
        return new ChainInfo(SystemParams.chainName(s), runtime.genesisHash(), sealing,
                config.instantSeal() ? 0 : config.blockTimeMillis(), minimumFee, SystemParams.authorities(s), SystemParams.sudo(s));
    }

    @Override
    public Optional<Block> blockAt(long height) {
        return store.blockAt(height);
    }

    @Override
    public Optional<Block> block(Hash hash) {
        return store.block(hash);
    }

    @Override
    public AccountState account(AccountId id) {
        return Balances.account(store.state(), id);
    }

    @Override
    public long nextNonce(AccountId id) {
        return pool.nextNonce(id, () -> account(id).nonce());
    }

    @Override
    public Optional<List<EventRecord>> events(long height) {
        return store.events(height);
    }

    @Override
    public Optional<List<InboundMessage>> workerMessages(long height) {
        return store.workerMessages(height);
    }

    @Override
    public Optional<byte[]> workerMessagesEncoded(long height) {
        return store.workerMessagesEncoded(height);
    }

    @Override
    public StateReader state() {
        return store.state();
    }

    @Override
    public TxStatus txStatus(Hash txHash) {
        if (pool.contains(txHash)) {
            return new TxStatus.Pending(pool.isReady(txHash, nonces(store.state())));
        }
        Optional<TxLocation> loc = store.tx(txHash);
        if (loc.isEmpty()) {
            return new TxStatus.Unknown();
        }
        TxLocation l = loc.get();
        String failure = null;
        for (EventRecord e : store.events(l.height()).orElse(List.of())) {
            if (e.txIndex() == l.index() && e.event() instanceof Event.TxFailed f) {
                failure = f.reason();
            }
        }
        return new TxStatus.Included(l.height(), l.blockHash(), l.index(), failure == null, failure);
    }

    @Override
    public AutoCloseable onNewHead(Consumer<BlockHeader> listener) {
        headListeners.add(listener);
        return () -> headListeners.remove(listener);
    }

    /** Transactions in the pool. */
    public int pooled() {
        return pool.size();
    }
}
