package cloister.sdk;

import cloister.storage.cid.Cid;
import java.io.FileNotFoundException;

/** The node asked does not hold the block (HTTP 404, or Kubo's "not found" error). */
public final class NoSuchBlockException extends FileNotFoundException {
    private static final long serialVersionUID = 1L;

    private final transient Cid cid;

    public NoSuchBlockException(Cid cid, String message) {
        super(message);
        this.cid = cid;
    }

    /** The block asked for. */
    public Cid cid() {
        return cid;
    }
}
