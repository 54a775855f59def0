package cloister.tee.sim;

import cloister.proto.MalformedException;
import cloister.tee.AttestationReport;
import cloister.tee.Evidence;
import cloister.tee.Platform;
import cloister.tee.QuoteRefusal;
import cloister.tee.QuoteVerification;
import cloister.tee.QuoteVerifier;
import java.util.List;

/**
 * Verifies sim quotes against the network's pinned {@link SimRootCertificate}. A verified sim quote always has
 * TCB status {@code Simulated} and confidence level 5, the lowest: it proves only that someone holding the sim
 * root's private key vouched for the measurement.
 */
public final class SimQuoteVerifier implements QuoteVerifier {
    public static final String TCB_STATUS = "Simulated";
    public static final int CONFIDENCE_LEVEL = 5;

    private final SimRootCertificate root;
    private final long maxAgeMillis;
    private final long maxFutureMillis;

    /**
     * @param maxAgeMillis    how old a quote may be at the verifying block's time
     * @param maxFutureMillis how far ahead of the block's time a quote may be dated (clock skew)
     */
    public SimQuoteVerifier(SimRootCertificate root, long maxAgeMillis, long maxFutureMillis) {
        this.root = root;
        this.maxAgeMillis = maxAgeMillis;
        this.maxFutureMillis = maxFutureMillis;
    }

    @Override
    public QuoteVerification verify(Evidence evidence, long nowMillis) {
        if (evidence.platform() != Platform.SIM) {
            return QuoteVerification.refuse(QuoteRefusal.UNSUPPORTED_PLATFORM, "not a sim quote");
        }
        byte[] bytes = evidence.quote();
        if (bytes.length > Evidence.MAX_QUOTE) {
            return QuoteVerification.refuse(QuoteRefusal.MALFORMED_QUOTE, "quote of " + bytes.length + " bytes is too long");
        }
        SimQuote quote;
        try {
            quote = SimQuote.decode(bytes);
        } catch (MalformedException e) {
            return QuoteVerification.refuse(QuoteRefusal.MALFORMED_QUOTE, "not a sim quote: " + e.getMessage());
        }
        if (!root.verify(quote.body(), quote.signature())) {
            return QuoteVerification.refuse(QuoteRefusal.UNTRUSTED_ROOT,
                    "quote is not signed by this network's sim attestation root " + root.fingerprint().shortHex());
        }
        if (quote.issuedAtMillis() > nowMillis + maxFutureMillis) {
            return QuoteVerification.refuse(QuoteRefusal.STALE_QUOTE, "quote is dated "
                    + (quote.issuedAtMillis() - nowMillis) / 1000 + " s after the block");
        }
        if (nowMillis - quote.issuedAtMillis() > maxAgeMillis) {
            return QuoteVerification.refuse(QuoteRefusal.STALE_QUOTE, "quote is "
                    + (nowMillis - quote.issuedAtMillis()) / 1000 + " s old, more than " + maxAgeMillis / 1000 + " s");
        }
        return new QuoteVerification.Verified(new AttestationReport(Platform.SIM, quote.measurement(), quote.reportData(),
                TCB_STATUS, List.of(), CONFIDENCE_LEVEL, quote.issuedAtMillis()));
    }
}
