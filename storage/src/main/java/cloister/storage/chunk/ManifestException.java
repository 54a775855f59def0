package cloister.storage.chunk;

/** Bytes that are not a valid manifest, or a manifest whose chunks are missing or wrong; the message says which. */
public final class ManifestException extends Exception {
    private static final long serialVersionUID = 1L;

    public ManifestException(String message) {
        super(message);
    }
}
