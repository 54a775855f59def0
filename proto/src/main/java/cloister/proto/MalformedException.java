package cloister.proto;

/** Bytes that are not a canonical encoding of the expected type. The message says what is wrong, never the content. */
public final class MalformedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedException(String message) {
        super(message);
    }
}
