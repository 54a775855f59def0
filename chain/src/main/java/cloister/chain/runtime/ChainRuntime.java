package cloister.chain.runtime;

import cloister.chain.AccountState;
import cloister.chain.runtime.balances.Balances;
import cloister.chain.runtime.contracts.WasmContracts;
import cloister.chain.runtime.registry.Registry;
import cloister.chain.runtime.datamarket.DataMarket;
import cloister.chain.runtime.storage.StorageMarket;
import cloister.proto.DataMarketCall;
import cloister.proto.MiningCall;
import cloister.chain.runtime.computation.Computation;
import cloister.chain.runtime.stakepool.StakePools;
import cloister.proto.StorageCall;
import cloister.proto.ContractsCall;
import cloister.proto.RegistryCall;
import cloister.chain.runtime.sudo.Sudo;
import cloister.chain.runtime.system.SystemParams;
import cloister.chain.store.StateReader;
import cloister.common.Hash;
import cloister.common.Tokens;
import cloister.common.Reason;
import cloister.proto.BalancesCall;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.SudoCall;
import cloister.proto.Transaction;
import java.util.List;

/**
 * The state transition function. Applying a list of transactions to a state is a pure function of
 * (state, transactions, genesis hash): no clock, no randomness, no I/O — every node computes the same writes and
 * events, byte for byte.
 *
 * <p>Per transaction: it must be for this network, correctly signed, carry the sender's next nonce, and its fee
 * must be at least the minimum and payable from the sender's balance; otherwise it cannot be in a block at all
 * ({@link Inapplicable}). If it can, the fee is charged and the nonce incremented, then the call is dispatched;
 * a failing call rolls back only its own effects and leaves a {@link Event.TxFailed} event.
 */
public final class ChainRuntime {
    /** Why a transaction cannot be part of a block at this point. */
    public enum Invalidity implements Reason {
        WRONG_GENESIS, BAD_SIGNATURE, BAD_NONCE, FEE_TOO_LOW, CANNOT_PAY_FEE
    }

    /** The outcome of applying a whole block's transactions. */
    public sealed interface BlockOutcome permits Execution, Inapplicable {}

    /** Transaction {@code index} cannot be in a block here: the block is invalid. */
    public record Inapplicable(int index, Invalidity reason, String message) implements BlockOutcome {}

    /** Every transaction applied; {@code state} holds the writes and events. */
    public record Execution(BlockState state) implements BlockOutcome {}

    private final Hash genesisHash;
    private final SignatureVerifier signatures;

    public ChainRuntime(Hash genesisHash, SignatureVerifier signatures) {
        this.genesisHash = genesisHash;
        this.signatures = signatures;
    }

    public Hash genesisHash() {
        return genesisHash;
    }

    public SignatureVerifier signatures() {
        return signatures;
    }

    /**
     * Applies {@code tx} as transaction {@code index} of the block being built.
     *
     * @param signatureOk whether the signature verified (callers verify, possibly in parallel, before applying)
     * @return null if applied (its call may still have failed), or why it cannot be included — then {@code s}
     *     is unchanged
     */
    public Inapplicable apply(BlockState s, int index, Transaction tx, boolean signatureOk) {
        if (!tx.genesisHash().equals(genesisHash)) {
            return new Inapplicable(index, Invalidity.WRONG_GENESIS, "signed for another network");
        }
        if (!signatureOk) {
            return new Inapplicable(index, Invalidity.BAD_SIGNATURE, "signature does not verify");
        }
        AccountState sender = Balances.account(s, tx.sender());
        if (tx.nonce() != sender.nonce()) {
            return new Inapplicable(index, Invalidity.BAD_NONCE, "nonce " + tx.nonce() + ", expected " + sender.nonce());
        }
        long minimumFee = SystemParams.minimumFee(s);
        if (tx.fee() < minimumFee) {
            return new Inapplicable(index, Invalidity.FEE_TOO_LOW, "fee " + Tokens.display(tx.fee()) + " below minimum " + Tokens.display(minimumFee));
        }
        if (sender.balance() < tx.fee()) {
            return new Inapplicable(index, Invalidity.CANNOT_PAY_FEE, "balance does not cover the fee");
        }
        s.setTxIndex(index);
        Balances.chargeFee(s, tx.sender(), SystemParams.TREASURY, tx.fee());
        Balances.incrementNonce(s, tx.sender());
        s.beginCall();
        DispatchOutcome outcome = dispatch(s, tx);
        if (outcome.ok()) {
            s.commitCall();
        } else {
            s.rollbackCall();
            s.emit(new Event.TxFailed(tx.hash(), outcome.error().code(), outcome.message()));
        }
        s.setTxIndex(EventRecord.BLOCK);
        return null;
    }

    private DispatchOutcome dispatch(BlockState s, Transaction tx) {
        return switch (tx.call()) {
            case BalancesCall c -> Balances.dispatch(s, tx.sender(), c);
            case SudoCall c -> Sudo.dispatch(s, tx.sender(), c);
            case RegistryCall c -> Registry.dispatch(s, tx.sender(), genesisHash, signatures, c);
            case ContractsCall c -> WasmContracts.dispatch(s, tx.sender(), tx.hash(), c);
            case StorageCall c -> StorageMarket.dispatch(s, tx.sender(), c);
            case DataMarketCall c -> DataMarket.dispatch(s, tx.sender(), c);
            case MiningCall c -> Computation.dispatch(s, tx.sender(), c);
        };
    }

    /**
     * What the runtime does at the start of every block, before its transactions (block-level events and worker
     * messages): the storage market's slot boundary, the data market's deadlines, the mining economics (budget,
     * heartbeat windows and challenges) and the stake pools' overdue withdrawals. {@code parentHash} is the hash of the previous block.
     */
    public void beginBlock(BlockState s, Hash parentHash) {
        s.setTxIndex(EventRecord.BLOCK);
        StorageMarket.onBlock(s, parentHash);
        DataMarket.onBlock(s);
        Computation.onBlock(s, parentHash);
        StakePools.onBlock(s);
    }

    /**
     * Applies every transaction of a block in order, verifying signatures first (in parallel).
     *
     * @return the execution, or the first transaction that makes the block invalid
     */
    public BlockOutcome executeBlock(StateReader base, Hash parentHash, long height, long timestampMillis, List<Transaction> txs) {
        boolean[] sigOk = signatures.verifyAll(txs);
        BlockState s = new BlockState(base, height, timestampMillis);
        beginBlock(s, parentHash);
        for (int i = 0; i < txs.size(); i++) {
            Inapplicable bad = apply(s, i, txs.get(i), sigOk[i]);
            if (bad != null) {
                return bad;
            }
        }
        return new Execution(s);
    }
}
