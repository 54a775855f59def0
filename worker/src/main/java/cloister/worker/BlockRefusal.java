package cloister.worker;

import cloister.common.Reason;

/** Why the enclave refused a block during sync. The block and everything after it are not applied. */
public enum BlockRefusal implements Reason {
    /** The header or the message list is not a canonical encoding. */
    MALFORMED_BLOCK,
    /** Not the next height (a gap, or a block already applied). */
    WRONG_HEIGHT,
    /** The parent hash is not the hash of the last applied block. */
    WRONG_PARENT,
    /** Block 0 is not the genesis this enclave was initialized for. */
    WRONG_GENESIS,
    /** The proposer is not in the authority set. */
    NOT_AUTHORITY,
    /** The proposer's seal does not verify. */
    BAD_SEAL,
    /** The messages do not hash to the header's worker-messages root. */
    BAD_MESSAGES_ROOT
}
