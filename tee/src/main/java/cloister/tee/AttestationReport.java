package cloister.tee;

import java.util.List;

/**
 * What a verified quote says.
 *
 * @param reportData      the 64 bytes the enclave bound into the quote (Cloister: SHA-256 of the worker info, then zeros)
 * @param tcbStatus       the platform's TCB status word (Intel's, e.g. {@code UpToDate}; {@code Simulated} for sim)
 * @param advisoryIds     Intel security advisories that apply to this platform's TCB level
 * @param confidenceLevel 1 (best) … 5 (least), Phala's scale: see docs/tee.md
 * @param issuedAtMillis  when the quote (sim) or the collateral (DCAP) was issued
 */
public record AttestationReport(Platform platform, Measurement measurement, byte[] reportData, String tcbStatus,
                                List<String> advisoryIds, int confidenceLevel, long issuedAtMillis) {
    public static final int REPORT_DATA_LENGTH = 64;

    public AttestationReport {
        if (reportData.length != REPORT_DATA_LENGTH) {
            throw new IllegalArgumentException("report data is 64 bytes");
        }
        if (confidenceLevel < 1 || confidenceLevel > 5) {
            throw new IllegalArgumentException("confidence level is 1..5");
        }
        reportData = reportData.clone();
        advisoryIds = List.copyOf(advisoryIds);
    }

    @Override
    public byte[] reportData() {
        return reportData.clone();
    }
}
