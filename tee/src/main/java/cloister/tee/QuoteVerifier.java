package cloister.tee;

import java.util.Map;

/**
 * Turns evidence into an {@link AttestationReport} or a refusal. Implementations are pure functions of the
 * evidence, their pinned trust anchor and {@code nowMillis}: the chain calls them inside block application with
 * the block's timestamp, so they must not read a clock, the network or any file.
 */
public interface QuoteVerifier {
    QuoteVerification verify(Evidence evidence, long nowMillis);

    /** Dispatches by platform; a platform without a verifier is refused as {@link QuoteRefusal#UNSUPPORTED_PLATFORM}. */
    static QuoteVerifier byPlatform(Map<Platform, QuoteVerifier> verifiers) {
        Map<Platform, QuoteVerifier> copy = Map.copyOf(verifiers);
        return (evidence, now) -> {
            QuoteVerifier v = copy.get(evidence.platform());
            return v == null
                    ? QuoteVerification.refuse(QuoteRefusal.UNSUPPORTED_PLATFORM,
                            "this network does not accept " + evidence.platform().word() + " quotes")
                    : v.verify(evidence, now);
        };
    }
}
