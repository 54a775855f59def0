package cloister.tee.dcap;

import java.util.Arrays;
import java.util.Optional;

/**
 * Intel's TCB status words, as TCB info, QE identity and TDX module identity levels carry them (Intel PCS API v4;
 * dcap-qvl {@code TcbStatus}). TD 1.5's relaunch statuses are not here: they only arise from TD report 1.5 bodies
 * (quote version 5), which this verifier does not accept.
 */
enum TcbStatus {
    UP_TO_DATE("UpToDate"),
    SW_HARDENING_NEEDED("SWHardeningNeeded"),
    CONFIGURATION_NEEDED("ConfigurationNeeded"),
    CONFIGURATION_AND_SW_HARDENING_NEEDED("ConfigurationAndSWHardeningNeeded"),
    OUT_OF_DATE("OutOfDate"),
    OUT_OF_DATE_CONFIGURATION_NEEDED("OutOfDateConfigurationNeeded"),
    REVOKED("Revoked");

    private final String word;

    TcbStatus(String word) {
        this.word = word;
    }

    /** Intel's spelling, e.g. {@code ConfigurationAndSWHardeningNeeded}. */
    String word() {
        return word;
    }

    static Optional<TcbStatus> ofWord(String word) {
        return Arrays.stream(values()).filter(s -> s.word.equals(word)).findFirst();
    }

    /**
     * This platform status combined with a component's (the QE's, or the TDX module's): only an {@code OutOfDate}
     * or {@code Revoked} component changes it. Intel QVL {@code convergeTcbStatusWithQeTcbStatus} and
     * {@code convergeTcbStatusWithTdxModuleStatus}; dcap-qvl {@code TcbStatus::converge_with_component}.
     */
    TcbStatus convergeWith(TcbStatus component) {
        if (component == REVOKED) {
            return REVOKED;
        }
        if (component == OUT_OF_DATE) {
            return switch (this) {
                case UP_TO_DATE, SW_HARDENING_NEEDED -> OUT_OF_DATE;
                case CONFIGURATION_NEEDED, CONFIGURATION_AND_SW_HARDENING_NEEDED -> OUT_OF_DATE_CONFIGURATION_NEEDED;
                default -> this;
            };
        }
        return this;
    }
}
