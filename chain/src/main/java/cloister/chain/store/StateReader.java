package cloister.chain.store;

/**
 * Reads chain state: the committed state of a {@link ChainStore}, or that state with uncommitted
 * {@link StateChanges} laid over it. Keys and values are opaque byte arrays chosen by the runtime modules.
 *
 * <p>Implementations never hand out their internal arrays: callers may modify what they get back.
 */
public interface StateReader {
    /** The value stored under {@code key}, or {@code null} if the key is absent. */
    byte[] get(byte[] key);
}
