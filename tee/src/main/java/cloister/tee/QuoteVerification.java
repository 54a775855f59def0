package cloister.tee;

/** The outcome of verifying evidence: a report, or a refusal with a reason and a message. */
public sealed interface QuoteVerification {
    record Verified(AttestationReport report) implements QuoteVerification {}

    record Refused(QuoteRefusal reason, String message) implements QuoteVerification {}

    static QuoteVerification refuse(QuoteRefusal reason, String message) {
        return new Refused(reason, message);
    }
}
