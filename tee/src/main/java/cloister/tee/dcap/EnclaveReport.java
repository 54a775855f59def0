package cloister.tee.dcap;

import java.util.Arrays;

/**
 * An SGX enclave report (sgx_report_body_t, 384 bytes): the body of an SGX quote, and the QE report inside every
 * quote's authentication data. Layout from Intel's "SGX ECDSA Quote Library API", appendix A.4 (and dcap-qvl's
 * {@code EnclaveReport}); integers are little-endian. MISCSELECT and ATTRIBUTES are kept as raw bytes because the
 * QE identity gives their expected values and masks as byte strings in the same order.
 */
record EnclaveReport(byte[] cpuSvn, byte[] miscSelect, byte[] attributes, byte[] mrEnclave, byte[] mrSigner,
                     int isvProdId, int isvSvn, byte[] reportData) {
    static final int LENGTH = 384;

    /** ATTRIBUTES.FLAGS bit 1: the enclave was launched in debug mode, so the host can read its memory. */
    private static final int DEBUG_FLAG = 0x02;

    static EnclaveReport parse(byte[] report) {
        if (report.length != LENGTH) {
            throw new IllegalArgumentException("an enclave report is " + LENGTH + " bytes, got " + report.length);
        }
        return new EnclaveReport(
                Arrays.copyOfRange(report, 0, 16),
                Arrays.copyOfRange(report, 16, 20),
                // 20..48 reserved
                Arrays.copyOfRange(report, 48, 64),
                Arrays.copyOfRange(report, 64, 96),
                // 96..128 reserved
                Arrays.copyOfRange(report, 128, 160),
                // 160..256 reserved
                (report[256] & 0xff) | (report[257] & 0xff) << 8,
                (report[258] & 0xff) | (report[259] & 0xff) << 8,
                // 260..320 reserved
                Arrays.copyOfRange(report, 320, 384));
    }

    boolean debug() {
        return (attributes[0] & DEBUG_FLAG) != 0;
    }
}
