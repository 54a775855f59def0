package cloister.tee.dcap;

import java.util.Arrays;

/**
 * A TDX 1.0 TD report body (584 bytes): the body of a TDX quote version 4. Layout from Intel's "TDX DCAP Quoting
 * Library API", appendix A.3.2 (and dcap-qvl's {@code TDReport10}). TEE_TCB_SVN byte 0 is the TDX module's SVN,
 * byte 1 its major version; the remaining bytes are compared with the TCB info's TDX components.
 */
record TdReport10(byte[] teeTcbSvn, byte[] mrSeam, byte[] mrSignerSeam, byte[] seamAttributes, byte[] tdAttributes,
                  byte[] xfam, byte[] mrTd, byte[] reportData) {
    static final int LENGTH = 584;

    static TdReport10 parse(byte[] body) {
        if (body.length != LENGTH) {
            throw new IllegalArgumentException("a TD report is " + LENGTH + " bytes, got " + body.length);
        }
        return new TdReport10(
                Arrays.copyOfRange(body, 0, 16),
                Arrays.copyOfRange(body, 16, 64),
                Arrays.copyOfRange(body, 64, 112),
                Arrays.copyOfRange(body, 112, 120),
                Arrays.copyOfRange(body, 120, 128),
                Arrays.copyOfRange(body, 128, 136),
                Arrays.copyOfRange(body, 136, 184),
                // 184..520: MRCONFIGID, MROWNER, MROWNERCONFIG, RTMR0..3 (not used by verification)
                Arrays.copyOfRange(body, 520, 584));
    }

    int tdxModuleSvn() {
        return teeTcbSvn[0] & 0xff;
    }

    int tdxModuleMajorVersion() {
        return teeTcbSvn[1] & 0xff;
    }

    /** TD_ATTRIBUTES as a 64-bit little-endian value (TDX module spec, table "TD_ATTRIBUTES"). */
    long tdAttributesValue() {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (tdAttributes[i] & 0xff);
        }
        return v;
    }
}
