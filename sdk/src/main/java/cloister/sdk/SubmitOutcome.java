package cloister.sdk;

import cloister.common.Hash;

/**
 * One transaction's answer in a batch submission: accepted with its hash, or refused with a code (a
 * {@code TxRejection} word such as {@code STALE_NONCE}) and a message.
 */
public record SubmitOutcome(Hash hash, String code, String message) {
    public boolean accepted() {
        return code == null;
    }
}
