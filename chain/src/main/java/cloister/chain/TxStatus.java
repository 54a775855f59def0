package cloister.chain;

import cloister.common.Hash;

/** Where a transaction is, looked up by its hash. */
public sealed interface TxStatus {
    /** In the pool, waiting for a block ({@code ready} false if it waits for an earlier nonce). */
    record Pending(boolean ready) implements TxStatus {}

    /**
     * In block {@code height} at position {@code index}. {@code success} false means its call failed (fee still
     * charged), with {@code failureReason} a {@link cloister.proto.DispatchError} word.
     */
    record Included(long height, Hash blockHash, int index, boolean success, String failureReason) implements TxStatus {}

    /** Neither pooled nor included (never seen, or dropped). */
    record Unknown() implements TxStatus {}
}
