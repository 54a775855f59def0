package cloister.chain.store;

import cloister.common.Hash;
import cloister.proto.Block;
import cloister.proto.BlockHeader;
import cloister.proto.EventCodec;
import cloister.proto.InboundMessage;
import cloister.proto.EventRecord;
import cloister.proto.Transaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The node's persistent chain: blocks, the state with its state root (docs/state-root.md), each block's events and
 * an index from transaction hash to block, in one RocksDB database.
 *
 * <p>Writing is two steps. {@link #prepare} computes the root of the committed state plus a set of changes without
 * writing anything (the proposer needs the root to build the header); {@link #commit} then writes the block, the
 * state changes, the events and the transaction index in one atomic RocksDB write batch, so a crash at any point
 * leaves either the previous head or the new one, never a mix.
 *
 * <p>Threads: one writer thread calls {@code prepare} and {@code commit} (they are serialised anyway); any number
 * of threads read concurrently. {@link #head()} and {@link #stateRoot()} change together, atomically, after the
 * commit's batch is durable. {@link #state()} reads the latest committed state: each read sees a commit entirely or
 * not at all, but two reads may straddle a commit.
 *
 * <p>Layout: column families {@code meta} (head pointer), {@code blocks} (hash → {@link Block#encode()}),
 * {@code heights} (u64 height → hash), {@code state} (bucket u16 ‖ key → value), {@code buckets} (u16 → hash of each
 * non-empty bucket), {@code events} (u64 height → {@link EventCodec}) and {@code txindex} (tx hash → u64 height ‖
 * block hash ‖ u32 index). Integers are big-endian.
 */
public final class ChainStore implements AutoCloseable {
    /** The root of the empty state (every bucket empty); the test vector of docs/state-root.md. */
    public static final Hash EMPTY_STATE_ROOT = BucketTree.emptyRoot();

    private static final byte[] HEAD_KEY = "head".getBytes(StandardCharsets.US_ASCII);
    private static final long BLOCK_CACHE_BYTES = 64L * 1024 * 1024;
    private static final List<String> FAMILIES =
            List.of("meta", "blocks", "heights", "state", "buckets", "events", "txindex", "workermsgs");

    private final Path dir;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles;
    /** Native option objects, closed after the database in reverse order of creation. */
    private final List<AutoCloseable> resources;
    private final WriteOptions writeOptions;
    private final ColumnFamilyHandle meta;
    private final ColumnFamilyHandle blocks;
    private final ColumnFamilyHandle heights;
    private final ColumnFamilyHandle state;
    private final ColumnFamilyHandle buckets;
    private final ColumnFamilyHandle events;
    private final ColumnFamilyHandle txIndex;
    private final ColumnFamilyHandle workerMessages;

    /** Touched only by the writer (under {@link #writer}). */
    private final BucketTree tree = new BucketTree();
    private final ReentrantLock writer = new ReentrantLock();
    /** Readers and the writer hold the read side while using native handles; {@link #close()} takes the write side. */
    private final ReentrantReadWriteLock life = new ReentrantReadWriteLock();
    private boolean closed;
    private volatile Committed committed;

    /** What readers see of the head, swapped in whole after each commit. {@code head} is null before genesis. */
    private record Committed(BlockHeader head, Hash root, long generation) {}

    private ChainStore(Path dir, RocksDB db, List<ColumnFamilyHandle> handles, List<AutoCloseable> resources,
                       WriteOptions writeOptions) {
        this.dir = dir;
        this.db = db;
        this.handles = handles;
        this.resources = resources;
        this.writeOptions = writeOptions;
        // handles.get(0) is RocksDB's mandatory default family, unused.
        this.meta = handles.get(1);
        this.blocks = handles.get(2);
        this.heights = handles.get(3);
        this.state = handles.get(4);
        this.buckets = handles.get(5);
        this.events = handles.get(6);
        this.txIndex = handles.get(7);
        this.workerMessages = handles.get(8);
    }

    /**
     * Opens the store in {@code dir}, creating it if missing, and checks that the stored buckets hash to the head
     * block's state root.
     *
     * @param syncWrites fsync the write-ahead log on every commit (survives power loss, not only a process crash)
     * @throws IOException if the directory is in use by another process, cannot be opened, or its state does not
     *                     match its head (the message says which)
     */
    public static ChainStore open(Path dir, boolean syncWrites) throws IOException {
        RocksDB.loadLibrary();
        Files.createDirectories(dir);
        List<AutoCloseable> resources = new ArrayList<>();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        RocksDB db = null;
        ChainStore store = null;
        try {
            LRUCache cache = track(resources, new LRUCache(BLOCK_CACHE_BYTES));
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY,
                    familyOptions(resources, cache, false)));
            for (String name : FAMILIES) {
                // Point lookups hit state and txindex; bloom filters spare them a disk read for absent keys.
                boolean bloom = name.equals("state") || name.equals("txindex");
                descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.US_ASCII),
                        familyOptions(resources, cache, bloom)));
            }
            DBOptions options = track(resources, new DBOptions()
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                    .setKeepLogFileNum(4)
                    // With several families the WAL lives as long as the least-flushed one: bound it.
                    .setMaxTotalWalSize(64L * 1024 * 1024));
            WriteOptions writeOptions = track(resources, new WriteOptions().setSync(syncWrites));
            try {
                db = RocksDB.open(options, dir.toString(), descriptors, handles);
            } catch (RocksDBException e) {
                throw openFailure(dir, e);
            }
            store = new ChainStore(dir, db, handles, resources, writeOptions);
            store.load();
            return store;
        } catch (IOException | RuntimeException | Error e) {
            if (store != null) {
                store.close();
            } else {
                closeNative(handles, db, resources);
            }
            throw e;
        }
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> resources, T resource) {
        resources.add(resource);
        return resource;
    }

    private static ColumnFamilyOptions familyOptions(List<AutoCloseable> resources, LRUCache cache, boolean bloom) {
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true);
        if (bloom) {
            table.setFilterPolicy(track(resources, new BloomFilter(10)));
        }
        return track(resources, new ColumnFamilyOptions()
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setTableFormatConfig(table));
    }

    private static IOException openFailure(Path dir, RocksDBException e) {
        Status status = e.getStatus();
        String message = String.valueOf(e.getMessage());
        // RocksDB reports a held LOCK file as an IOError mentioning the lock (another process, or this one).
        if (status != null && status.getCode() == Status.Code.IOError
                && message.toLowerCase(Locale.ROOT).contains("lock")) {
            return new IOException("data directory " + dir + " is in use by another cloister process", e);
        }
        return new IOException("cannot open the chain store in " + dir + ": " + message, e);
    }

    /** Reads the head and rebuilds the bucket tree; fails if the stored state does not hash to the head's root. */
    private void load() throws IOException {
        BlockHeader head = null;
        try {
            byte[] headHash = db.get(meta, HEAD_KEY);
            if (headHash != null) {
                byte[] encoded = db.get(blocks, headHash);
                if (encoded == null) {
                    throw new IOException("chain store in " + dir + " is corrupt: head block "
                            + Hash.of(headHash) + " is missing");
                }
                head = Block.decode(encoded).header();
            }
            try (RocksIterator it = db.newIterator(buckets)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    byte[] key = it.key();
                    if (key.length != 2) {
                        throw new IOException("chain store in " + dir + " is corrupt: bucket key of " + key.length
                                + " bytes");
                    }
                    tree.loadBucket((key[0] & 0xff) << 8 | (key[1] & 0xff), it.value());
                }
                it.status();
            }
        } catch (RocksDBException e) {
            throw new IOException("cannot read the chain store in " + dir + ": " + e.getMessage(), e);
        }
        tree.rehashAll();
        Hash root = tree.root();
        Hash expected = head == null ? EMPTY_STATE_ROOT : head.stateRoot();
        if (!root.equals(expected)) {
            String which = head == null ? "the empty store (no head block)" : "head block #" + head.height();
            throw new IOException("state root mismatch in " + dir + ": " + which + " commits to state root "
                    + expected + " but the stored state hashes to " + root);
        }
        committed = new Committed(head, root, 0);
    }

    /** The committed state, as of the latest commit. Reads are safe from any thread. */
    public StateReader state() {
        return this::getCommitted;
    }

    private byte[] getCommitted(byte[] key) {
        Objects.requireNonNull(key, "key");
        return readRaw(() -> db.get(state, stateKey(BucketTree.bucketOf(key), key)));
    }

    /** The committed state root: {@link #EMPTY_STATE_ROOT} before genesis, else the head's state root. */
    public Hash stateRoot() {
        return committed.root();
    }

    /** The latest committed block's header; empty before genesis is committed. */
    public Optional<BlockHeader> head() {
        return Optional.ofNullable(committed.head());
    }

    /**
     * Computes the state root of the committed state with {@code changes} applied, without writing. Cost grows with
     * the number of distinct buckets the changes touch (each is rescanned and rehashed, with its 16 tree nodes), not
     * with the size of the state.
     *
     * @throws UncheckedIOException if RocksDB fails to read
     */
    public PreparedState prepare(StateChanges changes) {
        Objects.requireNonNull(changes, "changes");
        writer.lock();
        life.readLock().lock();
        try {
            ensureOpen();
            long generation = committed.generation();
            // Group the writes by bucket; within a bucket they stay in unsigned key order.
            TreeMap<Integer, List<byte[][]>> byBucket = new TreeMap<>();
            byte[][] stateKeys = new byte[changes.size()][];
            byte[][] stateValues = new byte[changes.size()][];
            int n = 0;
            for (Map.Entry<byte[], byte[]> e : changes.writes().entrySet()) {
                int bucket = BucketTree.bucketOf(e.getKey());
                byBucket.computeIfAbsent(bucket, b -> new ArrayList<>()).add(new byte[][] {e.getKey(), e.getValue()});
                stateKeys[n] = stateKey(bucket, e.getKey());
                stateValues[n] = e.getValue();
                n++;
            }
            TreeMap<Integer, byte[]> bucketHashes = new TreeMap<>();
            try (RocksIterator it = db.newIterator(state)) {
                for (Map.Entry<Integer, List<byte[][]>> e : byBucket.entrySet()) {
                    bucketHashes.put(e.getKey(), hashBucket(it, e.getKey(), e.getValue()));
                }
                it.status();
            } catch (RocksDBException e) {
                throw new UncheckedIOException(new IOException("cannot read state in " + dir + ": " + e.getMessage(), e));
            }
            int[] bucketIds = new int[bucketHashes.size()];
            byte[][] hashes = new byte[bucketHashes.size()][];
            int k = 0;
            for (Map.Entry<Integer, byte[]> e : bucketHashes.entrySet()) {
                bucketIds[k] = e.getKey();
                hashes[k++] = e.getValue();
            }
            return new PreparedState(this, generation, stateKeys, stateValues, bucketIds, hashes,
                    tree.compute(bucketHashes));
        } finally {
            life.readLock().unlock();
            writer.unlock();
        }
    }

    /** Hashes one bucket as it will be: its stored entries merged with the (sorted) pending writes. */
    private static byte[] hashBucket(RocksIterator it, int bucket, List<byte[][]> pending) {
        byte[] prefix = BucketTree.bucketPrefix(bucket);
        BucketTree.BucketHasher hasher = new BucketTree.BucketHasher();
        it.seek(prefix);
        int p = 0;
        while (true) {
            byte[] stored = null;
            if (it.isValid()) {
                byte[] k = it.key();
                if (k.length >= 2 && k[0] == prefix[0] && k[1] == prefix[1]) {
                    stored = Arrays.copyOfRange(k, 2, k.length);
                }
            }
            byte[][] write = p < pending.size() ? pending.get(p) : null;
            if (stored == null && write == null) {
                return hasher.digest();
            }
            int order = stored == null ? 1 : write == null ? -1 : Arrays.compareUnsigned(stored, write[0]);
            if (order < 0) {
                hasher.add(stored, it.value());
                it.next();
            } else {
                if (write[1] != null) {
                    hasher.add(write[0], write[1]);
                }
                p++;
                if (order == 0) {
                    it.next(); // the pending write replaces (or deletes) the stored entry
                }
            }
        }
    }

    /**
     * Writes {@code block} as the new head with its prepared state and events, and indexes its transactions, in one
     * atomic write batch. After it returns the block is durable (fsynced if the store was opened with
     * {@code syncWrites}) and visible to readers.
     *
     * @param prepared the result of {@link #prepare} on this store since the last commit
     * @param events   the block's events, in order (may be empty)
     * @throws IllegalStateException if {@code prepared} is stale (the head moved since), if the header's state root
     *                               is not {@code prepared.root()}, if the height is not head + 1 (0 for genesis on an
     *                               empty store), or if the parent hash is not the head's hash
     * @throws IllegalArgumentException if {@code prepared} comes from another store
     * @throws UncheckedIOException  if RocksDB fails to write (nothing is written then)
     */
    public void commit(Block block, PreparedState prepared, List<EventRecord> events) {
        commit(block, prepared, events, List.of());
    }

    /**
     * As {@link #commit(Block, PreparedState, List)}, also storing the block's worker messages (whose Merkle root
     * the caller has checked against the header).
     */
    public void commit(Block block, PreparedState prepared, List<EventRecord> events, List<InboundMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(prepared, "prepared");
        Objects.requireNonNull(events, "events");
        writer.lock();
        life.readLock().lock();
        try {
            ensureOpen();
            if (prepared.owner != this) {
                throw new IllegalArgumentException("the prepared state comes from another chain store");
            }
            Committed base = committed;
            if (prepared.generation != base.generation()) {
                throw new IllegalStateException("the prepared state is stale: it was computed against an older head");
            }
            BlockHeader header = block.header();
            if (!header.stateRoot().equals(prepared.root())) {
                throw new IllegalStateException("block #" + header.height() + " has state root " + header.stateRoot()
                        + " but the prepared state root is " + prepared.root());
            }
            long expectedHeight = base.head() == null ? 0 : base.head().height() + 1;
            if (header.height() != expectedHeight) {
                throw new IllegalStateException("block height " + header.height() + " does not follow the head: expected "
                        + expectedHeight);
            }
            if (base.head() != null && !header.parentHash().equals(base.head().hash())) {
                throw new IllegalStateException("block #" + header.height() + " has parent " + header.parentHash()
                        + " but the head is " + base.head().hash());
            }
            writeBatch(block, prepared, events, messages);
            tree.apply(prepared.tree);
            committed = new Committed(header, prepared.root(), base.generation() + 1);
        } finally {
            life.readLock().unlock();
            writer.unlock();
        }
    }

    private void writeBatch(Block block, PreparedState prepared, List<EventRecord> blockEvents, List<InboundMessage> messages) {
        byte[] hash = block.hash().bytes();
        byte[] height = u64(block.height());
        try (WriteBatch batch = new WriteBatch()) {
            for (int i = 0; i < prepared.stateKeys.length; i++) {
                if (prepared.stateValues[i] == null) {
                    batch.delete(state, prepared.stateKeys[i]);
                } else {
                    batch.put(state, prepared.stateKeys[i], prepared.stateValues[i]);
                }
            }
            for (int i = 0; i < prepared.buckets.length; i++) {
                byte[] bucket = BucketTree.bucketPrefix(prepared.buckets[i]);
                if (BucketTree.isEmptyBucketHash(prepared.bucketHashes[i])) {
                    batch.delete(buckets, bucket);
                } else {
                    batch.put(buckets, bucket, prepared.bucketHashes[i]);
                }
            }
            batch.put(blocks, hash, block.encode());
            batch.put(heights, height, hash);
            batch.put(events, height, EventCodec.encode(blockEvents));
            batch.put(workerMessages, height, InboundMessage.encodeList(messages));
            List<Transaction> txs = block.transactions();
            for (int i = 0; i < txs.size(); i++) {
                batch.put(txIndex, txs.get(i).hash().bytes(),
                        ByteBuffer.allocate(8 + Hash.LENGTH + 4).putLong(block.height()).put(hash).putInt(i).array());
            }
            batch.put(meta, HEAD_KEY, hash);
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new UncheckedIOException(new IOException("cannot write block #" + block.height() + " to " + dir + ": "
                    + e.getMessage(), e));
        }
    }

    /** The committed block at {@code height}, if any. */
    public Optional<Block> blockAt(long height) {
        if (height < 0) {
            return Optional.empty();
        }
        return readOptional(() -> {
            byte[] hash = db.get(heights, u64(height));
            return hash == null ? null : db.get(blocks, hash);
        }).map(Block::decode);
    }

    /** The committed block with this hash, if any. */
    public Optional<Block> block(Hash hash) {
        Objects.requireNonNull(hash, "hash");
        return readOptional(() -> db.get(blocks, hash.bytes())).map(Block::decode);
    }

    /** The events of the committed block at {@code height} (possibly an empty list); empty if no such block. */
    public Optional<List<EventRecord>> events(long height) {
        if (height < 0) {
            return Optional.empty();
        }
        return readOptional(() -> db.get(events, u64(height))).map(EventCodec::decode);
    }

    /** The worker messages of the committed block at {@code height}, encoded as a list; empty if no such block. */
    public Optional<byte[]> workerMessagesEncoded(long height) {
        if (height < 0) {
            return Optional.empty();
        }
        return readOptional(() -> db.get(workerMessages, u64(height)));
    }

    /** The worker messages of the committed block at {@code height} (possibly none); empty if no such block. */
    public Optional<List<InboundMessage>> workerMessages(long height) {
        return workerMessagesEncoded(height).map(InboundMessage::decodeList);
    }

    /** Where the committed transaction with this hash is, if it is in a committed block. */
    public Optional<TxLocation> tx(Hash txHash) {
        Objects.requireNonNull(txHash, "txHash");
        return readOptional(() -> db.get(txIndex, txHash.bytes())).map(bytes -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long height = b.getLong();
            byte[] blockHash = new byte[Hash.LENGTH];
            b.get(blockHash);
            return new TxLocation(height, Hash.wrap(blockHash), b.getInt());
        });
    }

    /** Closes the database. Idempotent; later calls to any other method throw {@link IllegalStateException}. */
    @Override
    public void close() {
        life.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                closeNative(handles, db, resources);
            }
        } finally {
            life.writeLock().unlock();
        }
    }

    private static void closeNative(List<ColumnFamilyHandle> handles, RocksDB db, List<AutoCloseable> resources) {
        // Order matters to RocksDB: family handles, then the database, then the options they used.
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        if (db != null) {
            db.close();
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                throw new IllegalStateException("closing a RocksDB option object failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "ChainStore[" + dir + "]";
    }

    private interface Read {
        byte[] get() throws RocksDBException;
    }

    /** Runs a native read under the lifecycle lock, so close() cannot free the handles underneath it. */
    private Optional<byte[]> readOptional(Read read) {
        return Optional.ofNullable(readRaw(read));
    }

    private byte[] readRaw(Read read) {
        life.readLock().lock();
        try {
            ensureOpen();
            return read.get();
        } catch (RocksDBException e) {
            throw new UncheckedIOException(new IOException("cannot read the chain store in " + dir + ": "
                    + e.getMessage(), e));
        } finally {
            life.readLock().unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the chain store in " + dir + " is closed");
        }
    }

    static byte[] stateKey(int bucket, byte[] key) {
        byte[] out = new byte[2 + key.length];
        out[0] = (byte) (bucket >>> 8);
        out[1] = (byte) bucket;
        System.arraycopy(key, 0, out, 2, key.length);
        return out;
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }
}
