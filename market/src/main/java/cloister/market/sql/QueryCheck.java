package cloister.market.sql;

import cloister.common.ValidationResult;

/** The outcome of {@link GuardedSql#check}: an accepted query, or a refusal with its reason and a plain message. */
public sealed interface QueryCheck permits QueryCheck.Accepted, QueryCheck.Refused {

    /** The query is of the accepted shape, every column it names is declared, and every type fits. */
    record Accepted(GuardedQuery query) implements QueryCheck {}

    /** The query is refused; {@code message} names what is wrong in words a buyer understands. */
    record Refused(SqlRefusal reason, String message) implements QueryCheck {
        public Refused {
            if (reason == null || message == null) {
                throw new IllegalArgumentException("a refusal has a reason and a message");
            }
        }

        /** The same refusal as a {@link ValidationResult}, for the CLI and the API. */
        public ValidationResult<SqlRefusal> validation() {
            return ValidationResult.invalid(reason, message);
        }

        @Override
        public String toString() {
            return reason.code() + ": " + message;
        }
    }

    default boolean accepted() {
        return this instanceof Accepted;
    }

    /**
     * The accepted query.
     *
     * @throws IllegalStateException naming the refusal, if it was refused
     */
    default GuardedQuery query() {
        return switch (this) {
            case Accepted a -> a.query();
            case Refused r -> throw new IllegalStateException("the query was refused: " + r);
        };
    }
}
