package cloister.storage.cid;

/** Text or bytes that are not a CID this network accepts; the message says what is wrong, in plain words. */
public final class CidFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public CidFormatException(String message) {
        super(message);
    }
}
