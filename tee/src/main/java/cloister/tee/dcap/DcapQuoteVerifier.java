package cloister.tee.dcap;

import cloister.crypto.Sha256;
import cloister.tee.AttestationReport;
import cloister.tee.Evidence;
import cloister.tee.Measurement;
import cloister.tee.Platform;
import cloister.tee.QuoteRefusal;
import cloister.tee.QuoteVerification;
import cloister.tee.QuoteVerifier;
import cloister.tee.dcap.IntelRootOfTrust.Chain;
import cloister.tee.dcap.IntelRootOfTrust.TrustedCrl;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Verifies Intel DCAP quotes, SGX (ECDSA quote version 3) and TDX (quote version 4), offline: the evidence's quote
 * is the raw quote and its collateral the UTF-8 JSON of Phala dcap-qvl's {@code QuoteCollateralV3} (PCK CRL and its
 * issuer chain, root CA CRL, TCB info and QE identity with their signatures and issuer chain).
 *
 * <p>Everything is checked against the Intel SGX Root CA, whose public key is pinned in this package, and against
 * {@code nowMillis}: every certificate's, CRL's, TCB info's and QE identity's validity window must contain it. No
 * clock, network or file is read, so the chain can call this inside block application with the block's timestamp.
 * A verified quote gives Intel's TCB status word and advisories, the MRENCLAVE (SGX) or MRTD (TDX) as measurement,
 * the 64 bytes of report data, the TCB info's issue date, and Phala's confidence level. What is checked, and what
 * is not, is listed in docs/tee.md.
 *
 * <p>Any input gives a value: bad bytes are refused with a reason and a message, never with an exception.
 */
public final class DcapQuoteVerifier implements QuoteVerifier {
    /** Starts the message of a refusal that only a bug in this verifier can produce; tests check it never appears. */
    static final String INTERNAL_ERROR = "internal error in the DCAP verifier (a bug; please report it): ";

    /** TD_ATTRIBUTES (TDX module spec): TUD bits 7:0 put the TD under debug, so its memory is readable by the host. */
    private static final long TD_UNDER_DEBUG = 0xffL;
    /** SEPT_VE_DISABLE, bit 28: without it the host can make the TD take #VE on pending pages (dcap-qvl refuses). */
    private static final long SEPT_VE_DISABLE = 1L << 28;
    /** Reserved bits 27:8, 29 and 62:32, which must be zero; 30 (PKS), 31 (KL) and 63 (PERFMON) are allowed. */
    private static final long TD_RESERVED = 0x0fff_ff00L | 1L << 29 | 0x7fff_ffff_0000_0000L;

    private final IntelRootOfTrust root;

    /** A verifier trusting Intel's SGX Root CA (its key is pinned, see docs/tee.md). */
    public DcapQuoteVerifier() {
        this(IntelRootOfTrust.intel());
    }

    DcapQuoteVerifier(IntelRootOfTrust root) {
        this.root = root;
    }

    @Override
    public QuoteVerification verify(Evidence evidence, long nowMillis) {
        Platform platform = evidence.platform();
        if (platform != Platform.SGX && platform != Platform.TDX) {
            return QuoteVerification.refuse(QuoteRefusal.UNSUPPORTED_PLATFORM,
                    "the DCAP verifier checks sgx and tdx quotes, not " + platform.word());
        }
        byte[] quote = evidence.quote();
        byte[] collateral = evidence.collateral();
        if (quote.length == 0 || quote.length > Evidence.MAX_QUOTE) {
            return QuoteVerification.refuse(QuoteRefusal.MALFORMED_QUOTE,
                    "a quote is 1.." + Evidence.MAX_QUOTE + " bytes, this one " + quote.length);
        }
        if (collateral.length == 0 || collateral.length > Evidence.MAX_COLLATERAL) {
            return QuoteVerification.refuse(QuoteRefusal.BAD_COLLATERAL,
                    "collateral is 1.." + Evidence.MAX_COLLATERAL + " bytes, this one " + collateral.length);
        }
        try {
            return new QuoteVerification.Verified(check(platform, quote, collateral, nowMillis));
        } catch (DcapRefusal r) {
            return QuoteVerification.refuse(r.reason(), r.getMessage());
        } catch (RuntimeException e) {
            // Only a bug gets here: every parser turns bad bytes into a DcapRefusal. Refusing (rather than throwing
            // into block application) keeps the chain going, and every node refuses the same bytes the same way.
            return QuoteVerification.refuse(QuoteRefusal.MALFORMED_QUOTE, INTERNAL_ERROR + e);
        }
    }

    /** The checks, in dcap-qvl's order: collateral first, then the quote's chain, its signatures, its TCB. */
    private AttestationReport check(Platform platform, byte[] quoteBytes, byte[] collateralBytes, long now)
            throws DcapRefusal {
        DcapQuote quote = DcapQuote.parse(quoteBytes, platform);
        QuoteCollateral collateral = QuoteCollateral.parse(collateralBytes);

        TrustedCrl rootCrl = root.rootCrl(collateral.rootCaCrl(), now);
        root.verifyChain(collateral.pckCrlIssuerChain(), Chain.PCK_CRL_ISSUER, List.of(rootCrl), now);
        TrustedCrl pckCrl = root.issuedCrl(collateral.pckCrl(), collateral.pckCrlIssuerChain().get(0), "the PCK CRL", now);
        List<TrustedCrl> crls = List.of(rootCrl, pckCrl);

        TcbInfo tcbInfo = TcbInfo.parse(signedText(collateral.tcbInfoIssuerChain(), collateral.tcbInfo(),
                collateral.tcbInfoSignature(), crls, now, "the TCB info"), platform);
        requireWindow("the TCB info", tcbInfo.issueDate(), tcbInfo.nextUpdate(), now);
        QeIdentity qeIdentity = QeIdentity.parse(signedText(collateral.qeIdentityIssuerChain(), collateral.qeIdentity(),
                collateral.qeIdentitySignature(), crls, now, "the QE identity"), platform);
        requireWindow("the QE identity", qeIdentity.issueDate(), qeIdentity.nextUpdate(), now);

        List<X509Certificate> pckChain = PemCertificates.parseChain(quote.pckChainPem(), QuoteRefusal.MALFORMED_QUOTE,
                "the quote's PCK certificate chain");
        root.verifyChain(pckChain, Chain.PCK, crls, now);
        PckCertificate pck = PckCertificate.of(pckChain.get(0));

        if (!EcdsaP256.verify(pck.certificate().getPublicKey(), quote.qeReportBytes(), quote.qeReportSignature())) {
            throw new DcapRefusal(QuoteRefusal.BAD_SIGNATURE, "the QE report's signature does not verify with the PCK key");
        }
        // The QE vouches for the attestation key by putting SHA-256(attestation key ‖ QE auth data) ‖ 32 zero bytes
        // in its report data.
        byte[] binding = Arrays.copyOf(Sha256.digest(concat(quote.attestationKey(), quote.qeAuthData())), 64);
        if (!Arrays.equals(binding, quote.qeReport().reportData())) {
            throw new DcapRefusal(QuoteRefusal.BAD_SIGNATURE,
                    "the QE report does not vouch for the attestation key (report data is not its hash)");
        }
        StatusWithAdvisories qeStatus = qeIdentity.match(quote.qeReport());

        PublicKey attestationKey = EcdsaP256.publicKey(quote.attestationKey()).orElseThrow(() ->
                new DcapRefusal(QuoteRefusal.MALFORMED_QUOTE, "the attestation key is not a point on P-256"));
        if (!EcdsaP256.verify(attestationKey, quote.signedBytes(), quote.signature())) {
            throw new DcapRefusal(QuoteRefusal.BAD_SIGNATURE,
                    "the quote's signature over its header and body does not verify with the attestation key");
        }
        requireProductionEnclave(quote);

        StatusWithAdvisories status = tcbInfo.platformLevel(pck, quote.tdReport());
        if (platform == Platform.TDX) {
            status = status.convergeWith(tcbInfo.tdxModuleStatus(quote.tdReport()));
        }
        StatusWithAdvisories verdict = status.convergeWith(qeStatus);
        int confidence = ConfidenceLevel.of(verdict.status(), verdict.advisoryIds()).orElseThrow(() ->
                new DcapRefusal(QuoteRefusal.TCB_NOT_ACCEPTED, "the platform's TCB status is "
                        + verdict.status().word() + " (advisories " + verdict.advisoryIds() + ")"));
        Measurement measurement = platform == Platform.SGX
                ? Measurement.of(Platform.SGX, quote.sgxReport().mrEnclave())
                : Measurement.of(Platform.TDX, quote.tdReport().mrTd());
        return new AttestationReport(platform, measurement, quote.reportData(), verdict.status().word(),
                verdict.advisoryIds(), confidence, tcbInfo.issueDate().toEpochMilli());
    }

    /** Checks a collateral document's signing chain and its signature over the exact text; returns the text. */
    private String signedText(List<X509Certificate> chain, String text, byte[] signature, List<TrustedCrl> crls,
                              long now, String what) throws DcapRefusal {
        root.verifyChain(chain, Chain.TCB_SIGNING, crls, now);
        if (!EcdsaP256.verify(chain.get(0).getPublicKey(), text.getBytes(StandardCharsets.UTF_8), signature)) {
            throw new DcapRefusal(QuoteRefusal.BAD_SIGNATURE, "the signature on " + what
                    + " does not verify with Intel's TCB signing key");
        }
        return text;
    }

    private static void requireWindow(String what, Instant issueDate, Instant nextUpdate, long now) throws DcapRefusal {
        if (now < issueDate.toEpochMilli() || now > nextUpdate.toEpochMilli()) {
            throw new DcapRefusal(QuoteRefusal.COLLATERAL_EXPIRED, what + " is valid from " + issueDate + " to "
                    + nextUpdate + ", not at " + Instant.ofEpochMilli(now));
        }
    }

    /** Debug enclaves and TDs are refused: the host can read their memory (dcap-qvl {@code validate_attrs}). */
    static void requireProductionEnclave(DcapQuote quote) throws DcapRefusal {
        if (quote.sgxReport() != null) {
            if (quote.sgxReport().debug()) {
                throw new DcapRefusal(QuoteRefusal.DEBUG_ENCLAVE,
                        "the enclave runs in debug mode (ATTRIBUTES.DEBUG): the host can read its memory");
            }
            return;
        }
        long attributes = quote.tdReport().tdAttributesValue();
        if ((attributes & TD_UNDER_DEBUG) != 0) {
            throw new DcapRefusal(QuoteRefusal.DEBUG_ENCLAVE, "the TD runs under debug (TD_ATTRIBUTES.TUD = 0x"
                    + Long.toHexString(attributes & TD_UNDER_DEBUG) + "): the host can read its memory");
        }
        if ((attributes & TD_RESERVED) != 0) {
            throw new DcapRefusal(QuoteRefusal.MALFORMED_QUOTE, "reserved TD_ATTRIBUTES bits are set (0x"
                    + Long.toHexString(attributes & TD_RESERVED) + ")");
        }
        if ((attributes & SEPT_VE_DISABLE) == 0) {
            throw new DcapRefusal(QuoteRefusal.TCB_NOT_ACCEPTED,
                    "the TD does not set TD_ATTRIBUTES.SEPT_VE_DISABLE, so the host can inject #VE exceptions");
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
