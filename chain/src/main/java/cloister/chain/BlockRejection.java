package cloister.chain;

import cloister.common.Reason;

/** Why a block was not imported. */
public enum BlockRejection implements Reason {
    WRONG_HEIGHT, UNKNOWN_PARENT, BAD_TIMESTAMP, NOT_AUTHORITY, BAD_SEAL, BAD_TRANSACTIONS_ROOT,
    BAD_WORKER_MESSAGES_ROOT, INVALID_TRANSACTION, BAD_STATE_ROOT
}
