package cloister.tee.dcap;

import cloister.tee.QuoteRefusal;

/**
 * A refusal found deep inside parsing or checking, carried up to {@link DcapQuoteVerifier#verify}, which turns it
 * into a {@link cloister.tee.QuoteVerification.Refused} value. It never leaves this package, so callers only ever
 * see values. It records no stack trace: a bad quote is an expected outcome, not a bug.
 */
final class DcapRefusal extends Exception {
    private static final long serialVersionUID = 1L;

    private final QuoteRefusal reason;

    DcapRefusal(QuoteRefusal reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    QuoteRefusal reason() {
        return reason;
    }
}
