package cloister.tee.dcap;

import cloister.common.Hex;
import cloister.tee.Platform;
import cloister.tee.QuoteRefusal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Intel's identity of the quoting enclave (PCS API v4, enclave identity version 2): id {@code QE} for SGX quotes,
 * {@code TD_QE} for TDX quotes, the expected MRSIGNER, ISVPRODID, MISCSELECT and ATTRIBUTES (with masks), and the
 * QE's TCB levels by ISVSVN, newest first.
 */
record QeIdentity(Instant issueDate, Instant nextUpdate, byte[] miscSelect, byte[] miscSelectMask, byte[] attributes,
                  byte[] attributesMask, byte[] mrSigner, int isvProdId, List<Level> levels) {
    static final int VERSION = 2;

    record Level(int isvSvn, StatusWithAdvisories status) {}

    static QeIdentity parse(String json, Platform platform) throws DcapRefusal {
        JsonFields identity = JsonFields.parse(json, "qe_identity");
        int version = identity.integer("version", 0, Integer.MAX_VALUE);
        if (version != VERSION) {
            throw JsonFields.refusal("QE identity version " + version + " is not supported (only " + VERSION + ")");
        }
        String expectedId = platform == Platform.TDX ? "TD_QE" : "QE";
        String id = identity.text("id");
        if (!id.equals(expectedId)) {
            throw new DcapRefusal(QuoteRefusal.QE_IDENTITY_MISMATCH, "the QE identity is for '" + id + "'; a "
                    + platform.word() + " quote needs '" + expectedId + "'");
        }
        List<Level> levels = new ArrayList<>();
        for (JsonFields level : identity.objects("tcbLevels")) {
            levels.add(new Level(level.object("tcb").integer("isvsvn", 0, 0xffff), TcbInfo.status(level)));
        }
        levels.sort(Comparator.comparingInt(Level::isvSvn).reversed());
        return new QeIdentity(identity.instant("issueDate"), identity.instant("nextUpdate"),
                identity.hex("miscselect", 4), identity.hex("miscselectMask", 4),
                identity.hex("attributes", 16), identity.hex("attributesMask", 16),
                identity.hex("mrsigner", 32), identity.integer("isvprodid", 0, 0xffff), List.copyOf(levels));
    }

    /**
     * Matches the QE report against this identity (Intel QVL {@code EnclaveReportVerifier}; dcap-qvl
     * {@code verify_qe_identity_policy}) and returns the QE's TCB status: the first level whose ISVSVN the QE
     * meets or exceeds.
     */
    StatusWithAdvisories match(EnclaveReport qe) throws DcapRefusal {
        if (!Arrays.equals(qe.mrSigner(), mrSigner)) {
            throw mismatch("the QE's MRSIGNER " + Hex.encode(qe.mrSigner()) + " is not Intel's " + Hex.encode(mrSigner));
        }
        if (qe.isvProdId() != isvProdId) {
            throw mismatch("the QE's ISVPRODID " + qe.isvProdId() + " is not " + isvProdId);
        }
        if (!maskedEqual(qe.miscSelect(), miscSelect, miscSelectMask)) {
            throw mismatch("the QE's MISCSELECT " + Hex.encode(qe.miscSelect()) + " does not match "
                    + Hex.encode(miscSelect) + " under mask " + Hex.encode(miscSelectMask));
        }
        if (!maskedEqual(qe.attributes(), attributes, attributesMask)) {
            throw mismatch("the QE's ATTRIBUTES " + Hex.encode(qe.attributes()) + " do not match "
                    + Hex.encode(attributes) + " under mask " + Hex.encode(attributesMask));
        }
        for (Level level : levels) {
            if (qe.isvSvn() >= level.isvSvn()) {
                return level.status();
            }
        }
        throw mismatch("the QE's ISVSVN " + qe.isvSvn() + " is below every TCB level of the QE identity");
    }

    private static boolean maskedEqual(byte[] actual, byte[] expected, byte[] mask) {
        for (int i = 0; i < mask.length; i++) {
            if ((actual[i] & mask[i]) != (expected[i] & mask[i])) {
                return false;
            }
        }
        return true;
    }

    private static DcapRefusal mismatch(String message) {
        return new DcapRefusal(QuoteRefusal.QE_IDENTITY_MISMATCH, message);
    }
}
