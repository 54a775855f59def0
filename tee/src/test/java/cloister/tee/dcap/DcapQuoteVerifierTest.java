package cloister.tee.dcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.tee.AttestationReport;
import cloister.tee.Evidence;
import cloister.tee.Measurement;
import cloister.tee.Platform;
import cloister.tee.QuoteRefusal;
import cloister.tee.QuoteVerification;
import cloister.tee.QuoteVerifier;
import cloister.tee.dcap.DcapSamples.Sample;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DcapQuoteVerifierTest {
    private final DcapQuoteVerifier verifier = new DcapQuoteVerifier();

    static Stream<Sample> samples() {
        return Stream.of(DcapSamples.sgx(), DcapSamples.tdx());
    }

    @Test
    void sgxQuoteVerifiesWithIntelsStatusAndAdvisories() {
        Sample sgx = DcapSamples.sgx();
        AttestationReport report = verified(verifier.verify(sgx.evidence(), sgx.now()));
        assertEquals(Platform.SGX, report.platform());
        assertEquals("ConfigurationAndSWHardeningNeeded", report.tcbStatus());
        assertEquals(List.of("INTEL-SA-00289", "INTEL-SA-00615"), report.advisoryIds());
        // Phala: a configuration status with an advisory outside its whitelist is level 4.
        assertEquals(4, report.confidenceLevel());
        assertEquals(Measurement.of(Platform.SGX, Arrays.copyOfRange(sgx.quote(), 48 + 64, 48 + 96)), report.measurement());
        assertEquals(32, report.measurement().value().length);
        assertArrayEquals(Arrays.copyOfRange(sgx.quote(), sgx.reportDataOffset(), sgx.reportDataOffset() + 64),
                report.reportData());
        assertEquals(Instant.parse("2025-06-19T10:56:11Z").toEpochMilli(), report.issuedAtMillis());
    }

    @Test
    void tdxQuoteVerifiesUpToDate() {
        Sample tdx = DcapSamples.tdx();
        AttestationReport report = verified(verifier.verify(tdx.evidence(), tdx.now()));
        assertEquals(Platform.TDX, report.platform());
        assertEquals("UpToDate", report.tcbStatus());
        assertEquals(List.of(), report.advisoryIds());
        assertEquals(1, report.confidenceLevel());
        assertEquals(Measurement.of(Platform.TDX, Arrays.copyOfRange(tdx.quote(), 48 + 136, 48 + 184)), report.measurement());
        assertEquals(48, report.measurement().value().length);
        assertArrayEquals(Arrays.copyOfRange(tdx.quote(), tdx.reportDataOffset(), tdx.reportDataOffset() + 64),
                report.reportData());
        assertEquals(Instant.parse("2025-06-19T10:16:03Z").toEpochMilli(), report.issuedAtMillis());
    }

    @ParameterizedTest
    @MethodSource("samples")
    void bothEndsOfTheValidityWindowAreInside(Sample s) {
        verified(verifier.verify(s.evidence(), s.windowStart()));
        verified(verifier.verify(s.evidence(), s.windowEnd()));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void outsideTheWindowTheCollateralHasExpired(Sample s) {
        assertRefused(QuoteRefusal.COLLATERAL_EXPIRED, verifier.verify(s.evidence(), s.windowStart() - 1));
        assertRefused(QuoteRefusal.COLLATERAL_EXPIRED, verifier.verify(s.evidence(), s.windowEnd() + 1));
        assertRefused(QuoteRefusal.COLLATERAL_EXPIRED, verifier.verify(s.evidence(), 0));
        assertRefused(QuoteRefusal.COLLATERAL_EXPIRED, verifier.verify(s.evidence(), Long.MAX_VALUE));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void aChangedReportDataByteBreaksTheQuoteSignature(Sample s) {
        byte[] quote = s.quote();
        quote[s.reportDataOffset()] ^= 0x01;
        assertRefused(QuoteRefusal.BAD_SIGNATURE, verifier.verify(s.withQuote(quote), s.now()));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void aChangedSignatureByteIsRefused(Sample s) {
        byte[] quote = s.quote();
        quote[s.signatureOffset() + 10] ^= 0x40;
        assertRefused(QuoteRefusal.BAD_SIGNATURE, verifier.verify(s.withQuote(quote), s.now()));
    }

    @Test
    void theDebugBitCannotBeSetWithoutBreakingTheSignature() {
        Sample sgx = DcapSamples.sgx();
        byte[] quote = sgx.quote();
        quote[48 + 48] |= 0x02; // ATTRIBUTES.FLAGS.DEBUG
        assertRefused(QuoteRefusal.BAD_SIGNATURE, verifier.verify(sgx.withQuote(quote), sgx.now()));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void aTamperedTcbInfoKeepingItsSignatureIsRefused(Sample s) {
        byte[] collateral = DcapSamples.editCollateral(s.collateral(), "tcb_info",
                tcb -> tcb.replace("\"tcbEvaluationDataNumber\":17", "\"tcbEvaluationDataNumber\":18"));
        assertNotEquals(DcapSamples.collateralField(s.collateral(), "tcb_info"),
                DcapSamples.collateralField(collateral, "tcb_info"));
        assertRefused(QuoteRefusal.BAD_SIGNATURE, verifier.verify(s.withCollateral(collateral), s.now()));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void aTamperedQeIdentityKeepingItsSignatureIsRefused(Sample s) {
        byte[] collateral = DcapSamples.editCollateral(s.collateral(), "qe_identity",
                qe -> qe.replace("\"isvsvn\":", "\"isvsvn\": "));
        assertRefused(QuoteRefusal.BAD_SIGNATURE, verifier.verify(s.withCollateral(collateral), s.now()));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void truncatedEmptyOrGarbageQuotesAreMalformed(Sample s) {
        byte[] quote = s.quote();
        for (int length : new int[] {1, 47, 48, 100, 48 + s.bodyLength(), 48 + s.bodyLength() + 4, 1000, quote.length - 500}) {
            assertRefused(QuoteRefusal.MALFORMED_QUOTE,
                    verifier.verify(s.withQuote(Arrays.copyOf(quote, length)), s.now()), "length " + length);
        }
        assertRefused(QuoteRefusal.MALFORMED_QUOTE, verifier.verify(s.withQuote(new byte[0]), s.now()));
        byte[] garbage = new byte[quote.length];
        new Random(7).nextBytes(garbage);
        assertRefused(QuoteRefusal.MALFORMED_QUOTE, verifier.verify(s.withQuote(garbage), s.now()));
        assertRefused(QuoteRefusal.MALFORMED_QUOTE, verifier.verify(s.withQuote(new byte[Evidence.MAX_QUOTE + 1]), s.now()));
    }

    @Test
    void aTdxQuoteCutBeforeItsZeroPaddingStillVerifiesButNonZeroPaddingIsRefused() {
        Sample tdx = DcapSamples.tdx();
        byte[] quote = tdx.quote();
        int authEnd = DcapSamples.pemRange(quote)[1];
        assertTrue(authEnd < quote.length, "the sample TDX quote is zero-padded");
        verified(verifier.verify(tdx.withQuote(Arrays.copyOf(quote, authEnd)), tdx.now()));
        quote[quote.length - 1] = 1;
        assertRefused(QuoteRefusal.MALFORMED_QUOTE, verifier.verify(tdx.withQuote(quote), tdx.now()));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void garbageCollateralIsRefused(Sample s) {
        byte[] random = new byte[2000];
        new Random(11).nextBytes(random);
        for (byte[] collateral : List.of(random, "not json".getBytes(StandardCharsets.UTF_8),
                "{}".getBytes(StandardCharsets.UTF_8), "[]".getBytes(StandardCharsets.UTF_8),
                new byte[] {(byte) 0xc3, (byte) 0x28}, new byte[0], new byte[Evidence.MAX_COLLATERAL + 1],
                DcapSamples.editCollateral(s.collateral(), "pck_crl", crl -> crl.substring(10)),
                DcapSamples.editCollateral(s.collateral(), "tcb_info_signature", sig -> sig + "00"),
                DcapSamples.editCollateral(s.collateral(), "tcb_info_issuer_chain", pem -> pem.replace("MII", "MI!")))) {
            assertRefused(QuoteRefusal.BAD_COLLATERAL, verifier.verify(s.withCollateral(collateral), s.now()));
        }
    }

    @Test
    void unknownCollateralFieldsAreRefused() {
        Sample sgx = DcapSamples.sgx();
        String json = new String(sgx.collateral(), StandardCharsets.UTF_8);
        byte[] extra = json.replaceFirst("\\{", "{\"surprise\":\"x\",").getBytes(StandardCharsets.UTF_8);
        assertRefused(QuoteRefusal.BAD_COLLATERAL, verifier.verify(sgx.withCollateral(extra), sgx.now()));
    }

    @Test
    void collateralForTheOtherPlatformIsRefused() {
        Sample sgx = DcapSamples.sgx();
        Sample tdx = DcapSamples.tdx();
        assertRefused(QuoteRefusal.BAD_COLLATERAL, verifier.verify(sgx.withCollateral(tdx.collateral()), sgx.now()));
        assertRefused(QuoteRefusal.BAD_COLLATERAL, verifier.verify(tdx.withCollateral(sgx.collateral()), tdx.now()));
    }

    @Test
    void aQuoteOfTheOtherPlatformIsMalformed() {
        Sample sgx = DcapSamples.sgx();
        Sample tdx = DcapSamples.tdx();
        assertRefused(QuoteRefusal.MALFORMED_QUOTE,
                verifier.verify(new Evidence(Platform.TDX, sgx.quote(), tdx.collateral()), tdx.now()));
        assertRefused(QuoteRefusal.MALFORMED_QUOTE,
                verifier.verify(new Evidence(Platform.SGX, tdx.quote(), sgx.collateral()), sgx.now()));
    }

    @Test
    void simQuotesAreNotThisVerifiersBusiness() {
        Sample sgx = DcapSamples.sgx();
        assertRefused(QuoteRefusal.UNSUPPORTED_PLATFORM,
                verifier.verify(new Evidence(Platform.SIM, sgx.quote(), sgx.collateral()), sgx.now()));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void aPckChainEndingAtASelfMadeRootIsUntrusted(Sample s) throws CertificateEncodingException {
        KeyPair fake = TestPki.keyPair();
        String chain = new String(Arrays.copyOfRange(s.quote(), DcapSamples.pemRange(s.quote())[0],
                DcapSamples.pemRange(s.quote())[1]), StandardCharsets.US_ASCII);
        String[] blocks = DcapSamples.pemBlocks(chain);
        assertEquals(3, blocks.length);
        String forged = blocks[0] + "\n" + blocks[1] + "\n" + DcapSamples.pem(TestPki.fakeIntelRoot(fake, s.now()).getEncoded()) + "\n";
        byte[] quote = DcapSamples.withPckChain(s.quote(), forged.getBytes(StandardCharsets.US_ASCII));
        assertRefused(QuoteRefusal.UNTRUSTED_ROOT, verifier.verify(s.withQuote(quote), s.now()));

        // The surgery itself keeps the quote valid: putting the original chain back verifies.
        byte[] same = DcapSamples.withPckChain(quote, chain.getBytes(StandardCharsets.US_ASCII));
        verified(verifier.verify(s.withQuote(same), s.now()));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void aTcbSigningChainEndingAtASelfMadeRootIsUntrusted(Sample s) throws CertificateEncodingException {
        String fakeRoot = DcapSamples.pem(TestPki.fakeIntelRoot(TestPki.keyPair(), s.now()).getEncoded());
        byte[] collateral = DcapSamples.editCollateral(s.collateral(), "tcb_info_issuer_chain",
                pem -> DcapSamples.pemBlocks(pem)[0] + "\n" + fakeRoot + "\n");
        assertRefused(QuoteRefusal.UNTRUSTED_ROOT, verifier.verify(s.withCollateral(collateral), s.now()));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void aPckCrlFromAnotherCaIsRefused(Sample s) {
        // The other sample's PCK CRL is from the other PCK CA (processor vs platform): it cannot speak for this PCK.
        Sample other = s.platform() == Platform.SGX ? DcapSamples.tdx() : DcapSamples.sgx();
        byte[] collateral = DcapSamples.editCollateral(s.collateral(), "pck_crl",
                crl -> DcapSamples.collateralField(other.collateral(), "pck_crl"));
        collateral = DcapSamples.editCollateral(collateral, "pck_crl_issuer_chain",
                chain -> DcapSamples.collateralField(other.collateral(), "pck_crl_issuer_chain"));
        long now = Math.max(s.windowStart(), other.windowStart());
        assertRefused(QuoteRefusal.BAD_COLLATERAL, verifier.verify(s.withCollateral(collateral), now));
    }

    @Test
    void dispatchByPlatformReachesTheDcapVerifier() {
        QuoteVerifier byPlatform = QuoteVerifier.byPlatform(Map.of(Platform.SGX, verifier, Platform.TDX, verifier));
        Sample sgx = DcapSamples.sgx();
        Sample tdx = DcapSamples.tdx();
        assertEquals("ConfigurationAndSWHardeningNeeded", verified(byPlatform.verify(sgx.evidence(), sgx.now())).tcbStatus());
        assertEquals("UpToDate", verified(byPlatform.verify(tdx.evidence(), tdx.now())).tcbStatus());
    }

    @ParameterizedTest
    @MethodSource("samples")
    void verificationIsAFunctionOfItsInputs(Sample s) {
        QuoteVerification a = verifier.verify(s.evidence(), s.now());
        QuoteVerification b = new DcapQuoteVerifier().verify(s.evidence(), s.now());
        AttestationReport ra = verified(a);
        AttestationReport rb = verified(b);
        assertEquals(ra.measurement(), rb.measurement());
        assertArrayEquals(ra.reportData(), rb.reportData());
        assertEquals(ra.tcbStatus(), rb.tcbStatus());
        assertEquals(ra.advisoryIds(), rb.advisoryIds());
        assertEquals(ra.confidenceLevel(), rb.confidenceLevel());
        assertEquals(ra.issuedAtMillis(), rb.issuedAtMillis());
    }

    static AttestationReport verified(QuoteVerification v) {
        if (v instanceof QuoteVerification.Refused r) {
            throw new AssertionError("refused " + r.reason() + ": " + r.message());
        }
        return assertInstanceOf(QuoteVerification.Verified.class, v).report();
    }

    static void assertRefused(QuoteRefusal reason, QuoteVerification v) {
        assertRefused(reason, v, "");
    }

    static void assertRefused(QuoteRefusal reason, QuoteVerification v, String context) {
        QuoteVerification.Refused r = assertInstanceOf(QuoteVerification.Refused.class, v, context);
        assertEquals(reason, r.reason(), context + ": " + r.message());
        assertFalse(r.message().isBlank());
        assertFalse(r.message().startsWith(DcapQuoteVerifier.INTERNAL_ERROR), r.message());
    }
}
