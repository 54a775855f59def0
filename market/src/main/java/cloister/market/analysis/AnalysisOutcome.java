package cloister.market.analysis;

import cloister.common.ValidationResult;

/** What one analysis run produced: a privacy-checked result, or a refusal with a reason and a plain message. */
public sealed interface AnalysisOutcome permits AnalysisOutcome.Released, AnalysisOutcome.Refused {

    record Released(AnalysisResult result) implements AnalysisOutcome {}

    record Refused(AnalysisRefusal reason, String message) implements AnalysisOutcome {
        public Refused {
            if (reason == null || message == null) {
                throw new IllegalArgumentException("a refusal has a reason and a message");
            }
        }

        public ValidationResult<AnalysisRefusal> validation() {
            return ValidationResult.invalid(reason, message);
        }

        @Override
        public String toString() {
            return reason.code() + ": " + message;
        }
    }

    /**
     * The released result.
     *
     * @throws IllegalStateException naming the refusal, if the run was refused
     */
    default AnalysisResult result() {
        return switch (this) {
            case Released r -> r.result();
            case Refused r -> throw new IllegalStateException("the analysis was refused: " + r);
        };
    }
}
