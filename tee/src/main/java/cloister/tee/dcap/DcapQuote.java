package cloister.tee.dcap;

import cloister.common.Hex;
import cloister.tee.Platform;
import cloister.tee.QuoteRefusal;
import java.util.Arrays;
import java.util.Locale;

/**
 * A parsed ECDSA quote: SGX version 3 or TDX version 4. Layouts from Intel's "SGX ECDSA Quote Library API"
 * (appendix A.4) and "TDX DCAP Quoting Library API" (appendix A.3), as dcap-qvl's {@code quote.rs} reads them:
 *
 * <pre>
 * header (48) ‖ body (SGX: enclave report, 384; TDX: TD report 1.0, 584) ‖ auth data size u32 ‖ auth data
 * v3 auth data: signature (64) ‖ attestation key (64) ‖ QE report (384) ‖ QE report signature (64)
 *               ‖ QE auth data size u16 ‖ QE auth data ‖ certification data type u16 (5) ‖ size u32 ‖ PEM chain
 * v4 auth data: signature (64) ‖ attestation key (64) ‖ certification data type u16 (6) ‖ size u32
 *               ‖ [QE report ‖ QE report signature ‖ QE auth data size u16 ‖ QE auth data
 *                  ‖ certification data type u16 (5) ‖ size u32 ‖ PEM chain]
 * </pre>
 *
 * Every declared length must match the bytes exactly. Bytes after the auth data must be zero: TDX quotes are often
 * padded to their buffer size (the sample is), and no signature covers the padding, so non-zero padding is refused
 * rather than silently carried.
 *
 * @param signedBytes  header ‖ body: what the attestation key signs
 * @param sgxReport    the SGX enclave report (SGX only, else null)
 * @param tdReport     the TD report (TDX only, else null)
 * @param qeReportBytes the raw QE report: what the PCK key signs
 * @param pckChainPem  certification data type 5: PCK leaf, PCK CA and root, PEM
 */
record DcapQuote(Platform platform, int version, int teeType, byte[] signedBytes, EnclaveReport sgxReport,
                 TdReport10 tdReport, byte[] signature, byte[] attestationKey, byte[] qeReportBytes,
                 EnclaveReport qeReport, byte[] qeReportSignature, byte[] qeAuthData, byte[] pckChainPem) {
    static final int HEADER_LENGTH = 48;
    static final int SGX_VERSION = 3;
    static final int TDX_VERSION = 4;
    static final long TEE_TYPE_SGX = 0x00000000L;
    static final long TEE_TYPE_TDX = 0x00000081L;
    static final int ATTESTATION_KEY_ECDSA_P256 = 2;
    static final int CERTIFICATION_DATA_PCK_CHAIN = 5;
    static final int CERTIFICATION_DATA_QE_REPORT = 6;
    static final int SIGNATURE_LENGTH = 64;
    static final int ATTESTATION_KEY_LENGTH = 64;
    /** Intel's QE vendor id (Intel QVL QuoteConstants INTEL_QE_VENDOR_ID): the header names who built the QE. */
    static final byte[] INTEL_QE_VENDOR_ID = Hex.decode("939a7233f79c4ca9940a0db3957f0607");

    /** Parses a quote that must be of {@code platform}'s type (SGX v3, TDX v4). */
    static DcapQuote parse(byte[] quote, Platform platform) throws DcapRefusal {
        LittleEndianReader r = new LittleEndianReader(quote, 0, quote.length, "the quote");
        if (quote.length < HEADER_LENGTH) {
            throw malformed("the quote is " + quote.length + " bytes, shorter than its " + HEADER_LENGTH + "-byte header");
        }
        int version = r.u16();
        int keyType = r.u16();
        long teeType = r.u32();
        r.u16(); // QE SVN: the QE report's ISVSVN is what the QE identity is matched on
        r.u16(); // PCE SVN: the PCK certificate's PCESVN is what the TCB info is matched on
        byte[] vendor = r.bytes(16, "QE vendor id");
        r.bytes(20, "user data");
        boolean sgx = platform == Platform.SGX;
        int expectedVersion = sgx ? SGX_VERSION : TDX_VERSION;
        long expectedTee = sgx ? TEE_TYPE_SGX : TEE_TYPE_TDX;
        if (version != expectedVersion || teeType != expectedTee) {
            throw malformed("not " + (sgx ? "an SGX quote (version 3, TEE type 0x00000000)" : "a TDX quote (version 4, TEE type 0x00000081)")
                    + ": version " + version + ", TEE type 0x" + String.format(Locale.ROOT, "%08x", teeType));
        }
        if (keyType != ATTESTATION_KEY_ECDSA_P256) {
            throw malformed("attestation key type " + keyType + " is not ECDSA-256-with-P-256 (2)");
        }
        if (!Arrays.equals(vendor, INTEL_QE_VENDOR_ID)) {
            throw malformed("the QE vendor id " + Hex.encode(vendor) + " is not Intel's");
        }
        int bodyLength = sgx ? EnclaveReport.LENGTH : TdReport10.LENGTH;
        byte[] body = r.bytes(bodyLength, sgx ? "the enclave report" : "the TD report");
        byte[] signedBytes = Arrays.copyOfRange(quote, 0, HEADER_LENGTH + bodyLength);

        long authLength = r.u32();
        if (authLength > r.remaining()) {
            throw malformed("auth data size " + authLength + " is larger than the " + r.remaining() + " bytes left");
        }
        int authStart = r.position();
        int authEnd = authStart + (int) authLength;
        for (int i = authEnd; i < quote.length; i++) {
            if (quote[i] != 0) {
                throw malformed("byte " + i + " after the auth data is not zero padding");
            }
        }
        LittleEndianReader a = new LittleEndianReader(quote, authStart, authEnd, "the auth data");
        byte[] signature = a.bytes(SIGNATURE_LENGTH, "the quote signature");
        byte[] attestationKey = a.bytes(ATTESTATION_KEY_LENGTH, "the attestation key");
        LittleEndianReader qe = a;
        if (!sgx) {
            int outerType = a.u16();
            if (outerType != CERTIFICATION_DATA_QE_REPORT) {
                throw malformed("certification data type " + outerType + " is not 6 (QE report certification data)");
            }
            long outerSize = a.u32();
            if (outerSize != a.remaining()) {
                throw malformed("QE report certification data size " + outerSize + " does not match the "
                        + a.remaining() + " bytes left in the auth data");
            }
            qe = new LittleEndianReader(quote, a.position(), authEnd, "the QE report certification data");
        }
        byte[] qeReportBytes = qe.bytes(EnclaveReport.LENGTH, "the QE report");
        byte[] qeReportSignature = qe.bytes(SIGNATURE_LENGTH, "the QE report signature");
        byte[] qeAuthData = qe.bytes(qe.u16(), "the QE auth data");
        int certType = qe.u16();
        if (certType != CERTIFICATION_DATA_PCK_CHAIN) {
            throw malformed("certification data type " + certType + " is not 5 (PCK certificate chain, PEM)");
        }
        long certSize = qe.u32();
        if (certSize != qe.remaining()) {
            throw malformed("certification data size " + certSize + " does not match the " + qe.remaining()
                    + " bytes left in the auth data");
        }
        byte[] pem = qe.bytes(certSize, "the PCK certificate chain");
        return new DcapQuote(platform, version, (int) teeType, signedBytes,
                sgx ? EnclaveReport.parse(body) : null, sgx ? null : TdReport10.parse(body),
                signature, attestationKey, qeReportBytes, EnclaveReport.parse(qeReportBytes), qeReportSignature,
                qeAuthData, pem);
    }

    /** The 64 bytes the enclave bound into the quote. */
    byte[] reportData() {
        return sgxReport != null ? sgxReport.reportData() : tdReport.reportData();
    }

    private static DcapRefusal malformed(String message) {
        return new DcapRefusal(QuoteRefusal.MALFORMED_QUOTE, message);
    }
}
