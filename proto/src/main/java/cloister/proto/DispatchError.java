package cloister.proto;

import cloister.common.Reason;

/** Why an included transaction's call failed (reported in {@link Event.TxFailed}; the fee is still charged). */
public enum DispatchError implements Reason {
    INSUFFICIENT_BALANCE,
    /** The sender may not make this call (e.g. sudo by a non-sudo account). */
    BAD_ORIGIN,
    INVALID_AMOUNT,
    OVERFLOW
}
