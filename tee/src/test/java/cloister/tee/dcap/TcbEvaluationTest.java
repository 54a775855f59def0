package cloister.tee.dcap;

import static cloister.tee.dcap.TcbStatus.CONFIGURATION_AND_SW_HARDENING_NEEDED;
import static cloister.tee.dcap.TcbStatus.CONFIGURATION_NEEDED;
import static cloister.tee.dcap.TcbStatus.OUT_OF_DATE;
import static cloister.tee.dcap.TcbStatus.OUT_OF_DATE_CONFIGURATION_NEEDED;
import static cloister.tee.dcap.TcbStatus.REVOKED;
import static cloister.tee.dcap.TcbStatus.SW_HARDENING_NEEDED;
import static cloister.tee.dcap.TcbStatus.UP_TO_DATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import cloister.common.Hex;
import cloister.tee.Platform;
import cloister.tee.QuoteRefusal;
import cloister.tee.dcap.DcapSamples.Sample;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** TCB level matching, status convergence, QE identity matching, Phala's confidence levels and the debug checks. */
class TcbEvaluationTest {
    private static final String FMSPC = "00A067110000";

    @Test
    void componentStatusesConvergeAsInIntelsQvl() {
        // Only an OutOfDate or Revoked component (QE or TDX module) changes the platform's status.
        for (TcbStatus platform : TcbStatus.values()) {
            assertEquals(REVOKED, platform.convergeWith(REVOKED));
            for (TcbStatus harmless : List.of(UP_TO_DATE, SW_HARDENING_NEEDED, CONFIGURATION_NEEDED,
                    CONFIGURATION_AND_SW_HARDENING_NEEDED, OUT_OF_DATE_CONFIGURATION_NEEDED)) {
                assertEquals(platform, platform.convergeWith(harmless));
            }
        }
        assertEquals(OUT_OF_DATE, UP_TO_DATE.convergeWith(OUT_OF_DATE));
        assertEquals(OUT_OF_DATE, SW_HARDENING_NEEDED.convergeWith(OUT_OF_DATE));
        assertEquals(OUT_OF_DATE_CONFIGURATION_NEEDED, CONFIGURATION_NEEDED.convergeWith(OUT_OF_DATE));
        assertEquals(OUT_OF_DATE_CONFIGURATION_NEEDED, CONFIGURATION_AND_SW_HARDENING_NEEDED.convergeWith(OUT_OF_DATE));
        assertEquals(OUT_OF_DATE_CONFIGURATION_NEEDED, OUT_OF_DATE_CONFIGURATION_NEEDED.convergeWith(OUT_OF_DATE));
        assertEquals(OUT_OF_DATE, OUT_OF_DATE.convergeWith(OUT_OF_DATE));
    }

    @Test
    void convergingAppendsTheComponentsAdvisoriesOnce() {
        StatusWithAdvisories platform = new StatusWithAdvisories(CONFIGURATION_NEEDED, List.of("INTEL-SA-00289", "INTEL-SA-00615"));
        StatusWithAdvisories qe = new StatusWithAdvisories(OUT_OF_DATE, List.of("INTEL-SA-00615", "INTEL-SA-00477"));
        StatusWithAdvisories merged = platform.convergeWith(qe);
        assertEquals(OUT_OF_DATE_CONFIGURATION_NEEDED, merged.status());
        assertEquals(List.of("INTEL-SA-00289", "INTEL-SA-00615", "INTEL-SA-00477"), merged.advisoryIds());
    }

    @Test
    void confidenceLevelsFollowPhala() {
        assertEquals(OptionalInt.of(1), ConfidenceLevel.of(UP_TO_DATE, List.of()));
        assertEquals(OptionalInt.of(2), ConfidenceLevel.of(SW_HARDENING_NEEDED, List.of("INTEL-SA-00615")));
        assertEquals(OptionalInt.of(3), ConfidenceLevel.of(CONFIGURATION_NEEDED, List.of()));
        assertEquals(OptionalInt.of(3), ConfidenceLevel.of(CONFIGURATION_NEEDED, List.of("INTEL-SA-00334", "INTEL-SA-00219")));
        assertEquals(OptionalInt.of(4), ConfidenceLevel.of(CONFIGURATION_NEEDED, List.of("INTEL-SA-00334", "INTEL-SA-00615")));
        assertEquals(OptionalInt.of(4), ConfidenceLevel.of(CONFIGURATION_AND_SW_HARDENING_NEEDED, List.of("INTEL-SA-00289")));
        assertEquals(OptionalInt.of(5), ConfidenceLevel.of(OUT_OF_DATE, List.of()));
        assertEquals(OptionalInt.of(5), ConfidenceLevel.of(OUT_OF_DATE_CONFIGURATION_NEEDED, List.of()));
        assertEquals(OptionalInt.empty(), ConfidenceLevel.of(REVOKED, List.of()));
    }

    @Test
    void theNewestLevelThePlatformMeetsIsChosenWhateverTheJsonOrder() throws DcapRefusal {
        // Listed oldest first on purpose.
        TcbInfo info = TcbInfo.parse(sgxTcbInfo(
                level(svns(1), 5, null, "OutOfDate", "INTEL-SA-00001"),
                level(svns(2), 10, null, "SWHardeningNeeded", "INTEL-SA-00002"),
                level(svns(3), 10, null, "UpToDate")), Platform.SGX);
        assertEquals(new StatusWithAdvisories(UP_TO_DATE, List.of()), info.platformLevel(pck(svns(3), 10), null));
        assertEquals(new StatusWithAdvisories(UP_TO_DATE, List.of()), info.platformLevel(pck(svns(9), 99), null));
        assertEquals(OUT_OF_DATE, info.platformLevel(pck(svns(3), 9), null).status()); // PCESVN 9 < 10
        int[] oneLow = svns(3);
        oneLow[15] = 2;
        assertEquals(SW_HARDENING_NEEDED, info.platformLevel(pck(oneLow, 10), null).status());
        assertEquals(List.of("INTEL-SA-00001"), info.platformLevel(pck(svns(2), 9), null).advisoryIds());
        refused(QuoteRefusal.TCB_NOT_ACCEPTED, () -> info.platformLevel(pck(svns(0), 99), null));
        refused(QuoteRefusal.TCB_NOT_ACCEPTED, () -> info.platformLevel(pck(svns(9), 4), null));
        PckCertificate otherFmspc = new PckCertificate(null, Hex.decode("00A067110001"), new byte[2], svns(9), 99);
        refused(QuoteRefusal.BAD_COLLATERAL, () -> info.platformLevel(otherFmspc, null));
    }

    @Test
    void tdxLevelsAlsoNeedTheTdxComponentsAndSkipTheModuleBytesOfAVersionedModule() throws DcapRefusal {
        int[] tdxNew = svns(0);
        tdxNew[0] = 9; // module SVN: judged by the module identity once the module has a major version
        tdxNew[2] = 3;
        int[] tdxOld = svns(0);
        tdxOld[2] = 2;
        TcbInfo info = TcbInfo.parse(tdxTcbInfo(
                level(svns(2), 10, tdxNew, "UpToDate"),
                level(svns(2), 10, tdxOld, "OutOfDate", "INTEL-SA-00837")), Platform.TDX);
        // Module major version 1, SVN 6 (< 9), late microcode SVN 3: the newest level, byte 0 skipped.
        assertEquals(UP_TO_DATE, info.platformLevel(pck(svns(2), 10), td("06010300", "")).status());
        assertEquals(OUT_OF_DATE, info.platformLevel(pck(svns(2), 10), td("06010200", "")).status());
        // Module major version 0: every byte counts, so SVN 6 < 9 fails the newest level.
        assertEquals(OUT_OF_DATE, info.platformLevel(pck(svns(2), 10), td("06000300", "")).status());
        refused(QuoteRefusal.TCB_NOT_ACCEPTED, () -> info.platformLevel(pck(svns(2), 10), td("06010100", "")));
    }

    @Test
    void theTdxModuleIsJudgedByItsIdentity() throws DcapRefusal {
        TcbInfo info = TcbInfo.parse(tdxTcbInfo(level(svns(0), 0, svns(0), "UpToDate")), Platform.TDX);
        assertEquals(new StatusWithAdvisories(UP_TO_DATE, List.of()), info.tdxModuleStatus(td("06010000", "")));
        assertEquals(new StatusWithAdvisories(OUT_OF_DATE, List.of("INTEL-SA-01010")), info.tdxModuleStatus(td("03010000", "")));
        assertEquals(UP_TO_DATE, info.tdxModuleStatus(td("00000000", "")).status());
        refused(QuoteRefusal.TCB_NOT_ACCEPTED, () -> info.tdxModuleStatus(td("01010000", "")));
        refused(QuoteRefusal.TCB_NOT_ACCEPTED, () -> info.tdxModuleStatus(td("06020000", "")));
        refused(QuoteRefusal.TCB_NOT_ACCEPTED, () -> info.tdxModuleStatus(td("06010000", "01")));
        TdReport10 nonZeroSeamAttributes = new TdReport10(Hex.decode("06010000000000000000000000000000"), new byte[48],
                new byte[48], new byte[] {1, 0, 0, 0, 0, 0, 0, 0}, new byte[8], new byte[8], new byte[48], new byte[64]);
        refused(QuoteRefusal.TCB_NOT_ACCEPTED, () -> info.tdxModuleStatus(nonZeroSeamAttributes));
    }

    @Test
    void theQuotingEnclaveIsMatchedAgainstItsIdentity() throws DcapRefusal {
        Sample sgx = DcapSamples.sgx();
        QeIdentity identity = QeIdentity.parse(DcapSamples.collateralField(sgx.collateral(), "qe_identity"), Platform.SGX);
        DcapQuote quote = DcapQuote.parse(sgx.quote(), Platform.SGX);
        EnclaveReport qe = quote.qeReport();
        assertEquals(new StatusWithAdvisories(UP_TO_DATE, List.of()), identity.match(qe));
        assertEquals(new StatusWithAdvisories(OUT_OF_DATE, List.of("INTEL-SA-00615")), identity.match(withSvn(qe, 7)));
        refused(QuoteRefusal.QE_IDENTITY_MISMATCH, () -> identity.match(withSvn(qe, 0))); // lowest level is 1
        byte[] signer = qe.mrSigner().clone();
        signer[0] ^= 1;
        refused(QuoteRefusal.QE_IDENTITY_MISMATCH, () -> identity.match(new EnclaveReport(qe.cpuSvn(), qe.miscSelect(),
                qe.attributes(), qe.mrEnclave(), signer, qe.isvProdId(), qe.isvSvn(), qe.reportData())));
        refused(QuoteRefusal.QE_IDENTITY_MISMATCH, () -> identity.match(new EnclaveReport(qe.cpuSvn(), qe.miscSelect(),
                qe.attributes(), qe.mrEnclave(), qe.mrSigner(), qe.isvProdId() + 1, qe.isvSvn(), qe.reportData())));
        byte[] debug = qe.attributes().clone();
        debug[0] |= 0x02; // under the mask FB…: a debug QE does not match
        refused(QuoteRefusal.QE_IDENTITY_MISMATCH, () -> identity.match(new EnclaveReport(qe.cpuSvn(), qe.miscSelect(),
                debug, qe.mrEnclave(), qe.mrSigner(), qe.isvProdId(), qe.isvSvn(), qe.reportData())));
        byte[] masked = qe.attributes().clone();
        masked[12] ^= 0x7f; // XFRM bytes are masked out
        assertEquals(UP_TO_DATE, identity.match(new EnclaveReport(qe.cpuSvn(), qe.miscSelect(), masked, qe.mrEnclave(),
                qe.mrSigner(), qe.isvProdId(), qe.isvSvn(), qe.reportData())).status());
        // A TD_QE identity is not the identity of an SGX QE, and the other way round.
        refused(QuoteRefusal.QE_IDENTITY_MISMATCH, () -> QeIdentity.parse(
                DcapSamples.collateralField(DcapSamples.tdx().collateral(), "qe_identity"), Platform.SGX));
        refused(QuoteRefusal.QE_IDENTITY_MISMATCH, () -> QeIdentity.parse(
                DcapSamples.collateralField(sgx.collateral(), "qe_identity"), Platform.TDX));
    }

    @Test
    void debugEnclavesAndDebugTdsAreRefused() throws DcapRefusal {
        Sample sgx = DcapSamples.sgx();
        byte[] sgxQuote = sgx.quote();
        DcapQuoteVerifier.requireProductionEnclave(DcapQuote.parse(sgxQuote, Platform.SGX));
        sgxQuote[48 + 48] |= 0x02;
        DcapQuote debugSgx = DcapQuote.parse(sgxQuote, Platform.SGX);
        refused(QuoteRefusal.DEBUG_ENCLAVE, () -> DcapQuoteVerifier.requireProductionEnclave(debugSgx));

        Sample tdx = DcapSamples.tdx();
        int tdAttributes = 48 + 120;
        DcapQuoteVerifier.requireProductionEnclave(DcapQuote.parse(tdx.quote(), Platform.TDX));
        byte[] tud = tdx.quote();
        tud[tdAttributes] |= 0x01;
        refused(QuoteRefusal.DEBUG_ENCLAVE, () -> DcapQuoteVerifier.requireProductionEnclave(DcapQuote.parse(tud, Platform.TDX)));
        byte[] noSeptVeDisable = tdx.quote();
        noSeptVeDisable[tdAttributes + 3] &= ~0x10;
        refused(QuoteRefusal.TCB_NOT_ACCEPTED,
                () -> DcapQuoteVerifier.requireProductionEnclave(DcapQuote.parse(noSeptVeDisable, Platform.TDX)));
        byte[] reserved = tdx.quote();
        reserved[tdAttributes + 5] |= 0x01;
        refused(QuoteRefusal.MALFORMED_QUOTE,
                () -> DcapQuoteVerifier.requireProductionEnclave(DcapQuote.parse(reserved, Platform.TDX)));
    }

    private static EnclaveReport withSvn(EnclaveReport qe, int isvSvn) {
        return new EnclaveReport(qe.cpuSvn(), qe.miscSelect(), qe.attributes(), qe.mrEnclave(), qe.mrSigner(),
                qe.isvProdId(), isvSvn, qe.reportData());
    }

    private static int[] svns(int value) {
        int[] svns = new int[16];
        Arrays.fill(svns, value);
        return svns;
    }

    private static PckCertificate pck(int[] components, int pceSvn) {
        return new PckCertificate(null, Hex.decode(FMSPC), new byte[2], components, pceSvn);
    }

    /** A TD report with TEE_TCB_SVN starting with {@code teeTcbSvnPrefix} and MRSIGNERSEAM starting with {@code signer}. */
    private static TdReport10 td(String teeTcbSvnPrefix, String signer) {
        byte[] svn = Arrays.copyOf(Hex.decode(teeTcbSvnPrefix), 16);
        byte[] mrSignerSeam = Arrays.copyOf(Hex.decode(signer), 48);
        return new TdReport10(svn, new byte[48], mrSignerSeam, new byte[8], new byte[8], new byte[8], new byte[48], new byte[64]);
    }

    private static String components(int[] svns) {
        return IntStream.of(svns).mapToObj(v -> "{\"svn\":" + v + "}").collect(Collectors.joining(",", "[", "]"));
    }

    private static String level(int[] sgx, int pceSvn, int[] tdx, String status, String... advisories) {
        String ids = Arrays.stream(advisories).map(a -> "\"" + a + "\"").collect(Collectors.joining(","));
        return "{\"tcb\":{\"sgxtcbcomponents\":" + components(sgx) + ",\"pcesvn\":" + pceSvn
                + (tdx == null ? "" : ",\"tdxtcbcomponents\":" + components(tdx)) + "},"
                + "\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"" + status + "\",\"advisoryIDs\":[" + ids + "]}";
    }

    private static String header(String id) {
        return "{\"id\":\"" + id + "\",\"version\":3,\"issueDate\":\"2025-06-19T10:56:11Z\","
                + "\"nextUpdate\":\"2025-07-19T10:56:11Z\",\"fmspc\":\"" + FMSPC + "\",\"pceId\":\"0000\",\"tcbType\":0,"
                + "\"tcbEvaluationDataNumber\":17,";
    }

    private static String sgxTcbInfo(String... levels) {
        return header("SGX") + "\"tcbLevels\":[" + String.join(",", levels) + "]}";
    }

    private static String tdxTcbInfo(String... levels) {
        String zeroSigner = "00".repeat(48);
        String module = "\"mrsigner\":\"" + zeroSigner + "\",\"attributes\":\"0000000000000000\","
                + "\"attributesMask\":\"FFFFFFFFFFFFFFFF\"";
        return header("TDX") + "\"tdxModule\":{" + module + "},"
                + "\"tdxModuleIdentities\":[{\"id\":\"TDX_01\"," + module + ",\"tcbLevels\":["
                + "{\"tcb\":{\"isvsvn\":2},\"tcbDate\":\"2023-08-09T00:00:00Z\",\"tcbStatus\":\"OutOfDate\",\"advisoryIDs\":[\"INTEL-SA-01010\"]},"
                + "{\"tcb\":{\"isvsvn\":4},\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"UpToDate\"}]}],"
                + "\"tcbLevels\":[" + String.join(",", levels) + "]}";
    }

    private static void refused(QuoteRefusal reason, Executable check) {
        DcapRefusal r = assertThrows(DcapRefusal.class, check);
        assertEquals(reason, r.reason(), r.getMessage());
    }
}
