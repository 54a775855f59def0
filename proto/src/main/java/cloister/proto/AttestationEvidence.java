package cloister.proto;

/**
 * Attestation evidence on the wire: platform code (u8: 1 sim, 2 SGX, 3 TDX — see the tee module), quote bytes
 * (≤ 16 KiB) and collateral bytes (≤ 64 KiB). The tee module parses and verifies it; here it is only bytes.
 */
public record AttestationEvidence(int platformCode, byte[] quote, byte[] collateral) {
    public static final int MAX_QUOTE = 16 * 1024;
    public static final int MAX_COLLATERAL = 64 * 1024;

    public AttestationEvidence {
        if (platformCode < 0 || platformCode > 255) {
            throw new IllegalArgumentException("platform code is a byte");
        }
        if (quote.length > MAX_QUOTE || collateral.length > MAX_COLLATERAL) {
            throw new IllegalArgumentException("attestation evidence too large");
        }
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

    void write(CanonicalWriter w) {
        w.u8(platformCode).bytes(quote).bytes(collateral);
    }

    static AttestationEvidence read(CanonicalReader r) {
        return new AttestationEvidence(r.u8("platform"), r.bytes(MAX_QUOTE, "quote"), r.bytes(MAX_COLLATERAL, "collateral"));
    }
}
