package cloister.tee;

/**
 * Attestation evidence as a worker submits it: the platform's quote and, for DCAP platforms, the collateral
 * needed to verify it offline (PCK CRL and chain, root CA CRL, TCB info, QE identity — as JSON in the format of
 * Phala's dcap-qvl {@code QuoteCollateralV3}). A {@code sim} quote carries no collateral.
 */
public record Evidence(Platform platform, byte[] quote, byte[] collateral) {
    /** Bounds checked before any parsing, so a registration cannot make the chain parse megabytes. */
    public static final int MAX_QUOTE = 16 * 1024;
    public static final int MAX_COLLATERAL = 64 * 1024;

    public Evidence {
        quote = quote.clone();
        collateral = collateral.clone();
    }

    @Override
    public byte[] quote() {
        return quote.clone();
    }

    @Override
    public byte[] collateral() {
        return collateral.clone();
    }
}
