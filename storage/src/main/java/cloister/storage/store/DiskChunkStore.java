package cloister.storage.store;

import cloister.storage.cid.Cid;
import cloister.storage.cid.CidFormatException;
import cloister.storage.chunk.ChunkedFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded chunk store: each block a file {@code blocks/XX/YY/<cid>} (XX, YY: the first two bytes of the digest
 * in hex, so no directory grows past a few thousand entries), with an index in RocksDB ({@code index/}: CID bytes →
 * block size) that answers {@code has}, {@code size}, counts and listings without touching the files.
 *
 * <p>A put writes a temporary file, moves it into place atomically, then indexes it; a delete unindexes, then
 * removes the file. After a crash between the two steps, {@link #open} reconciles: a block file that is not indexed
 * is indexed if its bytes match its name and deleted otherwise; temporary files are removed; an indexed block whose
 * file is gone is unindexed. So a restarted provider knows exactly what it holds and fetches nothing twice.
 */
public final class DiskChunkStore implements ChunkStore {
    private static final Logger LOG = LoggerFactory.getLogger(DiskChunkStore.class);

    static {
        RocksDB.loadLibrary();
    }

    private final Path blocks;
    private final RocksDB index;
    private final Options options;
    private final boolean sync;
    private long count;
    private long bytes;
    /** Shard directories known to exist (at most 65,536). */
    private final java.util.Set<Path> shards = new java.util.HashSet<>();

    private DiskChunkStore(Path blocks, RocksDB index, Options options, boolean sync) {
        this.blocks = blocks;
        this.index = index;
        this.options = options;
        this.sync = sync;
    }

    /**
     * Opens (creating if needed) the store in {@code dir}, reconciling files and index.
     *
     * @param sync whether each block is fsync'ed before it is indexed (durable against power loss; slower)
     */
    public static DiskChunkStore open(Path dir, boolean sync) throws IOException {
        Path blocks = dir.resolve("blocks");
        Files.createDirectories(blocks);
        Files.createDirectories(dir.resolve("index"));
        Options options = new Options().setCreateIfMissing(true);
        RocksDB db;
        try {
            db = RocksDB.open(options, dir.resolve("index").toString());
        } catch (RocksDBException e) {
            options.close();
            throw new IOException("cannot open the chunk index in " + dir.resolve("index") + ": " + e.getMessage(), e);
        }
        DiskChunkStore s = new DiskChunkStore(blocks, db, options, sync);
        try {
            s.reconcile();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private Path pathOf(Cid cid) {
        byte[] d = cid.digest();
        HexFormat hex = HexFormat.of();
        return blocks.resolve(hex.toHexDigits(d[0])).resolve(hex.toHexDigits(d[1])).resolve(cid.toString());
    }

    @Override
    public synchronized boolean put(Cid cid, byte[] block) throws BlockMismatchException, IOException {
        if (block.length > ChunkedFile.MAX_BLOCK) {
            throw new BlockMismatchException("a block of " + block.length + " bytes is over the limit of " + ChunkedFile.MAX_BLOCK);
        }
        if (cid.codec() != Cid.RAW) {
            throw new BlockMismatchException(cid + " is not a raw-block CID; this store keeps raw blocks only");
        }
        if (!cid.matches(block)) {
            throw new BlockMismatchException("the bytes do not match " + cid + " (their CID is " + Cid.raw(block) + ")");
        }
        if (has(cid)) {
            return false;
        }
        Path target = pathOf(cid);
        if (shards.add(target.getParent())) {
            Files.createDirectories(target.getParent());
        }
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        if (sync) {
            Files.write(tmp, block, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE,
                    StandardOpenOption.SYNC);
        } else {
            Files.write(tmp, block);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        indexPut(cid, block.length);
        return true;
    }

    @Override
    public Optional<byte[]> get(Cid cid) throws IOException {
        if (!has(cid)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllBytes(pathOf(cid)));
        } catch (NoSuchFileException e) {
            return Optional.empty(); // indexed but gone: the watchdog reports it as lost
        }
    }

    @Override
    public boolean has(Cid cid) {
        return size(cid).isPresent();
    }

    @Override
    public OptionalInt size(Cid cid) {
        try {
            byte[] v = index.get(cid.bytes());
            return v == null ? OptionalInt.empty() : OptionalInt.of(ByteBuffer.wrap(v).getInt());
        } catch (RocksDBException e) {
            throw new IllegalStateException("chunk index read failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized boolean delete(Cid cid) throws IOException {
        OptionalInt size = size(cid);
        if (size.isEmpty()) {
            return false;
        }
        try {
            index.delete(cid.bytes());
        } catch (RocksDBException e) {
            throw new IOException("chunk index write failed: " + e.getMessage(), e);
        }
        count--;
        bytes -= size.getAsInt();
        Files.deleteIfExists(pathOf(cid));
        return true;
    }

    @Override
    public synchronized long count() {
        return count;
    }

    @Override
    public synchronized long bytes() {
        return bytes;
    }

    @Override
    public void forEach(Consumer<Cid> action) {
        try (RocksIterator it = index.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                try {
                    action.accept(Cid.fromBytes(it.key()));
                } catch (CidFormatException e) {
                    throw new IllegalStateException("the chunk index holds a malformed CID", e);
                }
            }
        }
    }

    private void indexPut(Cid cid, int size) throws IOException {
        try {
            index.put(cid.bytes(), ByteBuffer.allocate(4).putInt(size).array());
        } catch (RocksDBException e) {
            throw new IOException("chunk index write failed: " + e.getMessage(), e);
        }
        count++;
        bytes += size;
    }

    /** Makes index and files agree after a crash (see the class comment), and counts what is stored. */
    private void reconcile() throws IOException {
        int adopted = 0;
        int removed = 0;
        try (Stream<Path> files = Files.walk(blocks)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    Files.delete(f);
                    removed++;
                    continue;
                }
                Cid cid;
                try {
                    cid = Cid.parse(name);
                } catch (CidFormatException e) {
                    continue; // not ours: leave it
                }
                if (index.get(cid.bytes()) == null) {
                    byte[] block = Files.readAllBytes(f);
                    if (cid.matches(block) && f.equals(pathOf(cid))) {
                        index.put(cid.bytes(), ByteBuffer.allocate(4).putInt(block.length).array());
                        adopted++;
                    } else {
                        Files.delete(f);
                        removed++;
                    }
                }
            }
        } catch (RocksDBException e) {
            throw new IOException("chunk index failed during recovery: " + e.getMessage(), e);
        }
        int forgotten = 0;
        try (RocksIterator it = index.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                Cid cid = Cid.fromBytes(it.key());
                if (!Files.exists(pathOf(cid))) {
                    index.delete(it.key());
                    forgotten++;
                } else {
                    count++;
                    bytes += ByteBuffer.wrap(it.value()).getInt();
                }
            }
        } catch (CidFormatException | RocksDBException e) {
            throw new IOException("the chunk index is damaged: " + e.getMessage(), e);
        }
        if (adopted + removed + forgotten > 0) {
            LOG.info("chunk store recovered: {} blocks indexed, {} partial or corrupt files removed, {} missing blocks unindexed",
                    adopted, removed, forgotten);
        }
    }

    @Override
    public synchronized void close() {
        index.close();
        options.close();
    }
}
