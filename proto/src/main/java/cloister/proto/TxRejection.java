package cloister.proto;

import cloister.common.Reason;

/** Why a transaction was refused at submission (it is then not in the pool and never charged). */
public enum TxRejection implements Reason {
    /** The bytes are not one canonical transaction. */
    MALFORMED,
    /** The encoding exceeds {@link Transaction#MAX_BYTES}. */
    OVERSIZED,
    /** Signed for another network (genesis hash differs). */
    WRONG_GENESIS,
    BAD_SIGNATURE,
    /** The nonce was already used by an included transaction. */
    STALE_NONCE,
    /** The nonce is too far ahead of the account's next nonce. */
    FUTURE_NONCE,
    /** Balance (less what the sender's pooled transactions spend) does not cover amount + fee. */
    INSUFFICIENT_BALANCE,
    FEE_TOO_LOW,
    /** The same transaction is already pooled or included. */
    ALREADY_KNOWN,
    /** Another pooled transaction has this sender and nonce with an equal or higher fee. */
    NONCE_TAKEN,
    POOL_FULL,
    /** The call can never succeed (e.g. a zero transfer). */
    INVALID_CALL
}
