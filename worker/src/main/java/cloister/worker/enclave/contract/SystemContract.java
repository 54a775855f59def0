package cloister.worker.enclave.contract;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.Sha256;

/**
 * A confidential contract written in Java and compiled into the worker (its code is part of the measurement). Runs
 * only inside the enclave, on plaintext the enclave decrypted.
 *
 * <p>Rules: {@link #handle} is a deterministic function of the state, the sender, the command bytes and the
 * {@link BlockContext} — no clock, no randomness, no I/O, no iteration over unordered collections into the state —
 * so every worker of the cluster, applying the same commands in block order, reaches the same
 * {@link #stateHash()}. A rejected command changes nothing. Queries do not change state. Instances are confined to
 * the enclave's lock: a query may run concurrently with other queries, never with a command.
 */
public interface SystemContract {
    /** The kind this instance implements, e.g. {@code secret-notes}. */
    String kind();

    /** Applies one command from {@code sender} (the account that signed the transaction carrying it). */
    ContractResult handle(AccountId sender, byte[] command, BlockContext context);

    /** Answers a query by {@code caller} (whose signature the enclave checked). */
    ContractResult query(AccountId caller, byte[] query);

    /** The whole state, canonically encoded (equal states give equal bytes). */
    byte[] snapshot();

    /**
     * Replaces the state with a snapshot taken by {@link #snapshot()} of the same kind.
     *
     * @throws cloister.proto.MalformedException if the bytes are not such a snapshot
     */
    void restore(byte[] snapshot);

    /** SHA-256 of the snapshot unless the contract has a cheaper equivalent. */
    default Hash stateHash() {
        return Sha256.hash(snapshot());
    }
}
