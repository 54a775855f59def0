package cloister.tee.dcap;

import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Phala's confidence level of a verified DCAP quote, 1 (best) to 5, from its TCB status and advisories. Source:
 * Phala-Network/phala-blockchain, {@code pallets/phala/src/utils/attestation.rs} ({@code validate_dcap}) with the
 * {@code SGX_QUOTE_STATUS_LEVEL_*} and {@code SGX_QUOTE_ADVISORY_ID_WHITELIST} constants it uses (also in
 * {@code crates/sgx-attestation}'s {@code quote_status_levels}), and the "Confidence Level" table in Phala's docs:
 *
 * <ol>
 *   <li>{@code UpToDate}</li>
 *   <li>{@code SWHardeningNeeded}</li>
 *   <li>{@code ConfigurationNeeded} or {@code ConfigurationAndSWHardeningNeeded}, every advisory on the whitelist</li>
 *   <li>the same statuses with an advisory outside the whitelist</li>
 *   <li>{@code OutOfDate} or {@code OutOfDateConfigurationNeeded}</li>
 * </ol>
 *
 * Any other status ({@code Revoked}) has no level: Phala refuses it ({@code InvalidQuoteStatus}), and so do we.
 */
final class ConfidenceLevel {
    /** Advisories Phala judges harmless to its security model (phala-blockchain SGX_QUOTE_ADVISORY_ID_WHITELIST). */
    static final Set<String> ADVISORY_WHITELIST = Set.of("INTEL-SA-00334", "INTEL-SA-00219", "INTEL-SA-00381", "INTEL-SA-00389");

    private ConfidenceLevel() {}

    static OptionalInt of(TcbStatus status, List<String> advisoryIds) {
        return switch (status) {
            case UP_TO_DATE -> OptionalInt.of(1);
            case SW_HARDENING_NEEDED -> OptionalInt.of(2);
            case CONFIGURATION_NEEDED, CONFIGURATION_AND_SW_HARDENING_NEEDED ->
                    OptionalInt.of(ADVISORY_WHITELIST.containsAll(advisoryIds) ? 3 : 4);
            case OUT_OF_DATE, OUT_OF_DATE_CONFIGURATION_NEEDED -> OptionalInt.of(5);
            case REVOKED -> OptionalInt.empty();
        };
    }
}
