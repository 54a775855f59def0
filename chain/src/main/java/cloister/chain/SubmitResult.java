package cloister.chain;

import cloister.common.Hash;
import cloister.proto.TxRejection;

/** The answer to a transaction submission. */
public sealed interface SubmitResult {
    record Accepted(Hash txHash) implements SubmitResult {}

    record Rejected(TxRejection reason, String message) implements SubmitResult {}
}
