package cloister.tee;

/** A sealed blob cannot be opened here: other measurement, other machine, or altered. Never carries plaintext. */
public final class SealingException extends Exception {
    private static final long serialVersionUID = 1L;

    public SealingException(String message) {
        super(message);
    }
}
