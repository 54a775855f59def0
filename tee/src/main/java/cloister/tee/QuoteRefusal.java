package cloister.tee;

import cloister.common.Reason;

/** Why a quote was not accepted. Same words in the CLI, the API and registration failures. */
public enum QuoteRefusal implements Reason {
    /** The bytes are not a quote of the stated platform (truncated, wrong version, wrong lengths). */
    MALFORMED_QUOTE,
    /** No verifier for this platform is trusted on this network (e.g. {@code sim} on a production chain). */
    UNSUPPORTED_PLATFORM,
    /** A signature in the quote or its certificate chain does not verify. */
    BAD_SIGNATURE,
    /** The certificate chain does not end at the pinned root (Intel's, or the network's sim root). */
    UNTRUSTED_ROOT,
    /** A certificate in the chain is on a revocation list. */
    REVOKED,
    /** The collateral is missing or malformed. */
    BAD_COLLATERAL,
    /** "Now" is outside a validity window of the collateral or of a certificate. */
    COLLATERAL_EXPIRED,
    /** The platform's TCB level is revoked or unknown to the TCB info. */
    TCB_NOT_ACCEPTED,
    /** The quoting enclave is not the one Intel's QE identity names. */
    QE_IDENTITY_MISMATCH,
    /** The enclave runs in debug mode: its memory is readable by the host. */
    DEBUG_ENCLAVE,
    /** The quote was issued too long ago (or in the future) for the verifying block's time. */
    STALE_QUOTE
}
