package cloister.common;

import java.util.Objects;

/**
 * The outcome of checking something users send: valid, or refused with a reason and a human message.
 * Expected refusals are values, not exceptions (besu's ValidationResult).
 *
 * @param <R> the reason enum of the thing validated
 */
public final class ValidationResult<R extends Enum<R> & Reason> {
    private static final ValidationResult<?> VALID = new ValidationResult<>(null, "");

    private final R reason;
    private final String message;

    private ValidationResult(R reason, String message) {
        this.reason = reason;
        this.message = message;
    }

    @SuppressWarnings("unchecked")
    public static <R extends Enum<R> & Reason> ValidationResult<R> valid() {
        return (ValidationResult<R>) VALID;
    }

    public static <R extends Enum<R> & Reason> ValidationResult<R> invalid(R reason, String message) {
        return new ValidationResult<>(Objects.requireNonNull(reason), Objects.requireNonNull(message));
    }

    public boolean isValid() {
        return reason == null;
    }

    /** @throws IllegalStateException if the result is valid */
    public R reason() {
        if (reason == null) {
            throw new IllegalStateException("a valid result has no reason");
        }
        return reason;
    }

    public String message() {
        return message;
    }

    @Override
    public String toString() {
        return isValid() ? "VALID" : reason.code() + ": " + message;
    }
}
