package cloister.storage.store;

/** A block refused: its bytes do not match the CID it was offered under, or it is too large. */
public final class BlockMismatchException extends Exception {
    private static final long serialVersionUID = 1L;

    public BlockMismatchException(String message) {
        super(message);
    }
}
