package cloister.common;

/**
 * A reason a request was refused. Implemented by enums; {@link #code()} is the word users see,
 * identical in the CLI and in the HTTP API's {@code {code, message}} errors.
 */
public interface Reason {
    /** The upper-snake-case word for this reason, e.g. {@code BAD_SIGNATURE}. */
    String name();

    default String code() {
        return name();
    }
}
