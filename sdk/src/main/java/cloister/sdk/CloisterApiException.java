package cloister.sdk;

/**
 * A refusal or failure reported by a Cloister node (or the absence of one). {@link #code()} is the same upper-snake
 * word the HTTP API returns in {@code {code, message}}, e.g. {@code BAD_SIGNATURE}, {@code NOT_FOUND},
 * {@code NODE_UNREACHABLE}.
 */
public final class CloisterApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final int httpStatus;

    public CloisterApiException(String code, String message) {
        this(code, message, 0);
    }

    public CloisterApiException(String code, String message, int httpStatus) {
        super(message);
        this.code = code;
        this.httpStatus = httpStatus;
    }

    public String code() {
        return code;
    }

    /** The HTTP status of the response, or 0 if there was no response. */
    public int httpStatus() {
        return httpStatus;
    }

    @Override
    public String toString() {
        return code + ": " + getMessage();
    }
}
