package cloister.storage.store;

import cloister.storage.cid.Cid;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * Where a storage provider keeps blocks, by CID. Pluggable: {@link DiskChunkStore} (files on local disk, index in
 * RocksDB) is the embedded default. Every implementation refuses a block whose bytes do not match its CID, and
 * returns blocks exactly as stored — a reader that must trust the bytes checks them ({@link Cid#matches}), which is
 * what the watchdog does.
 */
public interface ChunkStore extends AutoCloseable {
    /**
     * Stores {@code block} under {@code cid}.
     *
     * @return false if it was already there (nothing written)
     * @throws BlockMismatchException if the bytes do not hash to {@code cid}, or the block is over the size limit
     */
    boolean put(Cid cid, byte[] block) throws BlockMismatchException, IOException;

    /** The block's bytes as stored, or empty if it is not here. */
    Optional<byte[]> get(Cid cid) throws IOException;

    boolean has(Cid cid);

    /** The block's size as indexed, or empty if it is not here. */
    OptionalInt size(Cid cid);

    /** @return whether it was there */
    boolean delete(Cid cid) throws IOException;

    /** How many blocks are stored. */
    long count();

    /** How many bytes of blocks are stored. */
    long bytes();

    /** Every stored CID, in CID order. */
    void forEach(Consumer<Cid> action);

    @Override
    void close();
}
