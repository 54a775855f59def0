package cloister.tee.dcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.tee.AttestationReport;
import cloister.tee.QuoteVerification;
import cloister.tee.dcap.DcapSamples.Sample;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property: a single changed byte anywhere in a real quote never makes {@code verify} throw, and is refused unless
 * the byte is one no signature covers. The only such bytes are the PEM chain's whitespace and trailing NULs (see
 * {@link PemCertificates}); changing one of those to other whitespace leaves the same certificates, so the report
 * must then be exactly the original one.
 */
class DcapQuoteMutationTest {
    private static final int MUTATIONS = 500;

    private final DcapQuoteVerifier verifier = new DcapQuoteVerifier();

    static Stream<Sample> samples() {
        return Stream.of(DcapSamples.sgx(), DcapSamples.tdx());
    }

    @ParameterizedTest
    @MethodSource("samples")
    void singleByteMutationsAreRefusedUnlessTheByteIsUnsigned(Sample s) {
        AttestationReport original = DcapQuoteVerifierTest.verified(verifier.verify(s.evidence(), s.now()));
        int[] pem = DcapSamples.pemRange(s.quote());
        Random random = new Random(0xdcab + s.platform().code());
        Map<cloister.tee.QuoteRefusal, Integer> reasons = new EnumMap<>(cloister.tee.QuoteRefusal.class);
        int accepted = 0;
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] quote = s.quote();
            int at = random.nextInt(quote.length);
            byte before = quote[at];
            quote[at] ^= (byte) (1 + random.nextInt(255));
            QuoteVerification v = verifier.verify(s.withQuote(quote), s.now());
            assertNotNull(v);
            switch (v) {
                case QuoteVerification.Refused r -> {
                    assertFalse(r.message().startsWith(DcapQuoteVerifier.INTERNAL_ERROR), r.message());
                    assertFalse(r.message().isBlank());
                    reasons.merge(r.reason(), 1, Integer::sum);
                }
                case QuoteVerification.Verified ok -> {
                    accepted++;
                    String where = "byte " + at + " (0x" + Integer.toHexString(before & 0xff) + " -> 0x"
                            + Integer.toHexString(quote[at] & 0xff) + ")";
                    assertTrue(at >= pem[0] && at < pem[1] && unsignedPemByte(before) && unsignedPemByte(quote[at]),
                            "a mutation of a signed byte verified: " + where);
                    assertEquals(original.measurement(), ok.report().measurement(), where);
                    assertArrayEquals(original.reportData(), ok.report().reportData(), where);
                    assertEquals(original.tcbStatus(), ok.report().tcbStatus(), where);
                    assertEquals(original.advisoryIds(), ok.report().advisoryIds(), where);
                }
            }
        }
        assertTrue(accepted < MUTATIONS / 10, "only whitespace mutations may verify, but " + accepted + " did");
        assertTrue(reasons.size() >= 2, "mutations should hit several checks: " + reasons);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void whitespaceInThePemChainIsTheOnlyUnsignedPartAndChangesNothing(Sample s) {
        AttestationReport original = DcapQuoteVerifierTest.verified(verifier.verify(s.evidence(), s.now()));
        int[] pem = DcapSamples.pemRange(s.quote());
        byte[] quote = s.quote();
        int newline = -1;
        for (int i = pem[0]; i < pem[1] && newline < 0; i++) {
            if (quote[i] == '\n') {
                newline = i;
            }
        }
        assertTrue(newline > 0);
        assertEquals(0, quote[pem[1] - 1]);
        quote[newline] = ' ';
        quote[pem[1] - 1] = '\n'; // the chain's terminating NUL
        AttestationReport same = DcapQuoteVerifierTest.verified(verifier.verify(s.withQuote(quote), s.now()));
        assertEquals(original.measurement(), same.measurement());
        assertArrayEquals(original.reportData(), same.reportData());
        assertEquals(original.tcbStatus(), same.tcbStatus());
        assertEquals(original.advisoryIds(), same.advisoryIds());
    }

    private static boolean unsignedPemByte(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == 0;
    }
}
