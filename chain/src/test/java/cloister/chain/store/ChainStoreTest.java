package cloister.chain.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hash;
import cloister.crypto.DevKeys;
import cloister.crypto.Sha256;
import cloister.crypto.SigningKey;
import cloister.proto.BalancesCall;
import cloister.proto.Block;
import cloister.proto.BlockHeader;
import cloister.proto.Event;
import cloister.proto.EventRecord;
import cloister.proto.Signature;
import cloister.proto.Transaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

class ChainStoreTest {
    /** docs/state-root.md: the root of the empty state. */
    static final String EMPTY_ROOT = "bbc84bb1eca9b98b546708cadcf829983dd03da168f65aeae21724003072c21a";
    static final Hash GENESIS = Sha256.hash("cloister/test/genesis".getBytes(StandardCharsets.US_ASCII));
    static final SigningKey ALICE = DevKeys.get("alice");
    static final SigningKey BOB = DevKeys.get("bob");

    @TempDir
    Path tmp;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Transaction tx(long nonce) {
        return Transaction.sign(GENESIS, ALICE, nonce, 1, new BalancesCall.Transfer(BOB.account(), 5));
    }

    /** Prepares {@code changes}, builds the next block over the head with their root and commits it. */
    static Block commitNext(ChainStore store, StateChanges changes, List<Transaction> txs, List<EventRecord> events) {
        PreparedState prepared = store.prepare(changes);
        Block block = nextBlock(store, prepared.root(), txs);
        store.commit(block, prepared, events);
        return block;
    }

    static Block commitNext(ChainStore store, StateChanges changes) {
        return commitNext(store, changes, List.of(), List.of());
    }

    static Block nextBlock(ChainStore store, Hash stateRoot, List<Transaction> txs) {
        Optional<BlockHeader> head = store.head();
        long height = head.map(h -> h.height() + 1).orElse(0L);
        Hash parent = head.map(BlockHeader::hash).orElse(Hash.ZERO);
        return block(height, parent, stateRoot, txs);
    }

    static Block block(long height, Hash parent, Hash stateRoot, List<Transaction> txs) {
        BlockHeader header = new BlockHeader(height, parent, 1_700_000_000_000L + height * 1000,
                Block.transactionsRoot(txs), stateRoot, Hash.ZERO, ALICE.account(), Signature.EMPTY);
        return new Block(header, txs);
    }

    /**
     * The state root computed from scratch, independently of the store: every one of the 2^16 buckets hashed (empty
     * ones as zeros) and every inner node of the depth-16 tree hashed, with no shortcuts.
     */
    static Hash referenceRoot(Map<byte[], byte[]> entries) {
        TreeMap<byte[], byte[]> sorted = new TreeMap<>(Arrays::compareUnsigned);
        sorted.putAll(entries);
        List<List<byte[][]>> bucketEntries = new ArrayList<>();
        for (int i = 0; i < 65536; i++) {
            bucketEntries.add(null);
        }
        for (Map.Entry<byte[], byte[]> e : sorted.entrySet()) {
            byte[] d = Sha256.digest(e.getKey());
            int bucket = (d[0] & 0xff) << 8 | (d[1] & 0xff);
            if (bucketEntries.get(bucket) == null) {
                bucketEntries.set(bucket, new ArrayList<>());
            }
            bucketEntries.get(bucket).add(new byte[][] {e.getKey(), e.getValue()});
        }
        byte[][] level = new byte[65536][];
        for (int i = 0; i < 65536; i++) {
            List<byte[][]> es = bucketEntries.get(i);
            if (es == null) {
                level[i] = new byte[32];
            } else {
                ByteBuffer buf = ByteBuffer.allocate(es.stream().mapToInt(e -> 8 + e[0].length + e[1].length).sum());
                for (byte[][] e : es) {
                    buf.putInt(e[0].length).put(e[0]).putInt(e[1].length).put(e[1]);
                }
                level[i] = Sha256.digest(buf.array());
            }
        }
        while (level.length > 1) {
            byte[][] up = new byte[level.length / 2][];
            for (int i = 0; i < up.length; i++) {
                up[i] = Sha256.hashTagged((byte) 1, level[2 * i], level[2 * i + 1]).bytes();
            }
            level = up;
        }
        return Hash.of(level[0]);
    }

    /** Keys that fall in buckets 0, 1 and 65535 (several per bucket), to exercise shared buckets and the edges. */
    static List<byte[]> bucketEdgeKeys() {
        List<byte[]> keys = new ArrayList<>();
        int[] wanted = {0, 0, 0, 0, 0, 0, 0, 0};
        int found = 0;
        for (int i = 0; found < 8; i++) {
            byte[] key = b("edge-" + i);
            byte[] d = Sha256.digest(key);
            int bucket = (d[0] & 0xff) << 8 | (d[1] & 0xff);
            int slot = bucket == 0 ? 0 : bucket == 1 ? 1 : bucket == 65535 ? 2 : -1;
            int limit = slot == 1 ? 2 : 3;
            if (slot >= 0 && wanted[slot] < limit) {
                wanted[slot]++;
                found++;
                keys.add(key);
            }
        }
        return keys;
    }

    @Test
    void emptyStateRootIsTheDocumentedVector() throws IOException {
        assertEquals(EMPTY_ROOT, ChainStore.EMPTY_STATE_ROOT.hex());
        assertEquals(EMPTY_ROOT, referenceRoot(Map.of()).hex());
        try (ChainStore store = ChainStore.open(tmp.resolve("db"), false)) {
            assertEquals(ChainStore.EMPTY_STATE_ROOT, store.stateRoot());
            assertTrue(store.head().isEmpty());
            assertEquals(ChainStore.EMPTY_STATE_ROOT, store.prepare(new StateChanges()).root());
            assertTrue(store.blockAt(0).isEmpty());
            assertTrue(store.events(0).isEmpty());
        }
    }

    @Test
    void workedExampleOfTheDocument() throws IOException {
        try (ChainStore store = ChainStore.open(tmp.resolve("db"), false)) {
            StateChanges c = new StateChanges();
            c.put(b("alice"), b("100"));
            assertEquals("b0efa257143440babf7554ee86df04430b29fabd9f6b61867dc23abe96b921b3",
                    store.prepare(c).root().hex());
            c.put(b("bob"), b("7"));
            assertEquals("8ed186ffe04ea79017b0872e729fa605320b397167534f7bb12c33aa5729d8ea",
                    store.prepare(c).root().hex());
        }
    }

    @Test
    void rootIsIndependentOfInsertionOrderAndOfBlockSplits() throws IOException {
        Random random = new Random(42);
        TreeMap<byte[], byte[]> target = new TreeMap<>(Arrays::compareUnsigned);
        for (byte[] k : bucketEdgeKeys()) {
            target.put(k, b("edge value"));
        }
        for (int i = 0; i < 400; i++) {
            byte[] key = new byte[1 + random.nextInt(40)];
            random.nextBytes(key);
            byte[] value = new byte[random.nextInt(100)];
            random.nextBytes(value);
            target.put(key, value);
        }
        Hash oneBlock;
        try (ChainStore store = ChainStore.open(tmp.resolve("one"), false)) {
            StateChanges c = new StateChanges();
            target.forEach(c::put);
            commitNext(store, c);
            oneBlock = store.stateRoot();
        }
        assertEquals(referenceRoot(target), oneBlock);

        List<byte[]> keys = new ArrayList<>(target.keySet());
        Collections.shuffle(keys, random);
        try (ChainStore store = ChainStore.open(tmp.resolve("split"), false)) {
            // Five blocks: each writes its share, plus junk keys and wrong values repaired in later blocks.
            for (int block = 0; block < 5; block++) {
                StateChanges c = new StateChanges();
                for (int i = block; i < keys.size(); i += 5) {
                    c.put(keys.get(i), target.get(keys.get(i)));
                }
                if (block < 4) {
                    c.put(b("junk-" + block), b("temporary"));
                    c.put(keys.get(block + 5), b("wrong, fixed next block"));
                }
                if (block > 0) {
                    c.delete(b("junk-" + (block - 1)));
                    c.put(keys.get(block + 4), target.get(keys.get(block + 4)));
                }
                commitNext(store, c);
            }
            assertEquals(oneBlock, store.stateRoot());
        }
    }

    @Test
    void everySingleChangeMovesTheRootAndUndoingRestoresIt() throws IOException {
        try (ChainStore store = ChainStore.open(tmp.resolve("db"), false)) {
            List<byte[]> edge = bucketEdgeKeys();
            StateChanges base = new StateChanges();
            for (int i = 0; i < edge.size(); i++) {
                base.put(edge.get(i), b("v" + i));
            }
            base.put(b("plain"), b("x"));
            commitNext(store, base);
            Hash original = store.stateRoot();

            List<StateChanges> singles = new ArrayList<>();
            for (byte[] key : List.of(edge.get(0), edge.get(1), edge.get(7), b("plain"))) {
                StateChanges change = new StateChanges();
                change.put(key, b("changed"));
                singles.add(change);
                StateChanges empty = new StateChanges();
                empty.put(key, new byte[0]);
                singles.add(empty);
                StateChanges delete = new StateChanges();
                delete.delete(key);
                singles.add(delete);
            }
            StateChanges fresh = new StateChanges();
            fresh.put(b("new key"), b("x"));
            singles.add(fresh);
            StateChanges freshEmpty = new StateChanges();
            freshEmpty.put(b("new key"), new byte[0]);
            singles.add(freshEmpty);
            for (StateChanges single : singles) {
                assertNotEquals(original, store.prepare(single).root(), single.toString());
            }
            // Deleting an absent key or rewriting the same value is no change at all.
            StateChanges noop = new StateChanges();
            noop.delete(b("absent"));
            noop.put(b("plain"), b("x"));
            assertEquals(original, store.prepare(noop).root());

            // Commit a put-new, a value change and a delete, then undo them: the root comes back.
            StateChanges forward = new StateChanges();
            forward.put(b("new key"), b("y"));
            forward.put(edge.get(0), b("changed"));
            forward.delete(edge.get(1));
            commitNext(store, forward);
            assertNotEquals(original, store.stateRoot());
            StateChanges back = new StateChanges();
            back.delete(b("new key"));
            back.put(edge.get(0), b("v0"));
            back.put(edge.get(1), b("v1"));
            commitNext(store, back);
            assertEquals(original, store.stateRoot());

            // Deleting everything gives the empty root again.
            StateChanges all = new StateChanges();
            edge.forEach(all::delete);
            all.delete(b("plain"));
            commitNext(store, all);
            assertEquals(ChainStore.EMPTY_STATE_ROOT, store.stateRoot());
        }
    }

    @Test
    void prepareWritesNothing() throws IOException {
        try (ChainStore store = ChainStore.open(tmp.resolve("db"), false)) {
            StateChanges c = new StateChanges();
            c.put(b("a"), b("1"));
            commitNext(store, c);
            Hash root = store.stateRoot();
            BlockHeader head = store.head().orElseThrow();

            StateChanges pending = new StateChanges();
            pending.put(b("a"), b("2"));
            pending.put(b("b"), b("2"));
            PreparedState prepared = store.prepare(pending);
            assertNotEquals(root, prepared.root());
            assertEquals(root, store.stateRoot());
            assertEquals(head, store.head().orElseThrow());
            assertArrayEquals(b("1"), store.state().get(b("a")));
            assertNull(store.state().get(b("b")));
            // Changing the source after prepare does not change the prepared result.
            Hash preparedRoot = prepared.root();
            pending.put(b("c"), b("3"));
            assertEquals(preparedRoot, prepared.root());
            // Preparing the same changes again gives the same root: nothing was half-applied.
            pending.delete(b("c"));
            assertEquals(preparedRoot, store.prepare(pending).root());
        }
    }

    @Test
    void reopenRestoresHeadRootStateBlocksEventsAndTxIndex() throws IOException {
        Path dir = tmp.resolve("db");
        List<Block> blocks = new ArrayList<>();
        List<List<EventRecord>> events = new ArrayList<>();
        Hash root;
        try (ChainStore store = ChainStore.open(dir, true)) {
            long nonce = 0;
            for (int h = 0; h < 4; h++) {
                StateChanges c = new StateChanges();
                c.put(b("height"), b("h" + h));
                c.put(b("key-" + h), b("value-" + h));
                List<Transaction> txs = new ArrayList<>();
                List<EventRecord> ev = new ArrayList<>();
                for (int i = 0; i < h; i++) {
                    txs.add(tx(nonce++));
                    ev.add(new EventRecord(i, new Event.Transfer(ALICE.account(), BOB.account(), 5)));
                    ev.add(new EventRecord(i, new Event.FeePaid(ALICE.account(), 1)));
                }
                if (h == 0) {
                    ev.add(new EventRecord(EventRecord.BLOCK, new Event.BalanceSet(ALICE.account(), 1_000)));
                }
                blocks.add(commitNext(store, c, txs, ev));
                events.add(ev);
            }
            root = store.stateRoot();
        }
        try (ChainStore store = ChainStore.open(dir, false)) {
            assertEquals(blocks.get(3).header(), store.head().orElseThrow());
            assertEquals(root, store.stateRoot());
            assertEquals(blocks.get(3).header().stateRoot(), root);
            assertArrayEquals(b("h3"), store.state().get(b("height")));
            for (int h = 0; h < 4; h++) {
                Block expected = blocks.get(h);
                assertArrayEquals(b("value-" + h), store.state().get(b("key-" + h)));
                assertEquals(expected.header(), store.blockAt(h).orElseThrow().header());
                assertEquals(expected.transactions(), store.blockAt(h).orElseThrow().transactions());
                assertEquals(expected.header(), store.block(expected.hash()).orElseThrow().header());
                assertEquals(events.get(h), store.events(h).orElseThrow());
                for (int i = 0; i < expected.transactions().size(); i++) {
                    assertEquals(new TxLocation(h, expected.hash(), i),
                            store.tx(expected.transactions().get(i).hash()).orElseThrow());
                }
            }
            assertEquals(List.of(), store.events(0).orElseThrow().stream().filter(e -> e.txIndex() >= 0).toList());
            assertTrue(store.blockAt(4).isEmpty());
            assertTrue(store.blockAt(-1).isEmpty());
            assertTrue(store.events(4).isEmpty());
            assertTrue(store.block(Hash.ZERO).isEmpty());
            assertTrue(store.tx(tx(99).hash()).isEmpty());
            assertNull(store.state().get(b("never written")));
            // The reopened store keeps going from where it was.
            StateChanges c = new StateChanges();
            c.put(b("height"), b("h4"));
            Block next = commitNext(store, c);
            assertEquals(4, next.height());
            assertEquals(blocks.get(3).hash(), next.header().parentHash());
        }
    }

    @Test
    void commitRefusesWrongRootWrongHeightWrongParentAndStalePreparations() throws IOException {
        try (ChainStore store = ChainStore.open(tmp.resolve("db"), false);
             ChainStore other = ChainStore.open(tmp.resolve("other"), false)) {
            StateChanges c = new StateChanges();
            c.put(b("a"), b("1"));
            PreparedState genesisState = store.prepare(c);
            assertThrows(IllegalStateException.class,
                    () -> store.commit(block(1, Hash.ZERO, genesisState.root(), List.of()), genesisState, List.of()));
            assertThrows(IllegalStateException.class,
                    () -> store.commit(block(0, Hash.ZERO, Hash.ZERO, List.of()), genesisState, List.of()));
            assertThrows(IllegalArgumentException.class, () -> store.commit(
                    block(0, Hash.ZERO, genesisState.root(), List.of()), other.prepare(c), List.of()));
            assertTrue(store.head().isEmpty());
            assertNull(store.state().get(b("a")));
            assertEquals(ChainStore.EMPTY_STATE_ROOT, store.stateRoot());

            Block genesis = block(0, Hash.ZERO, genesisState.root(), List.of());
            store.commit(genesis, genesisState, List.of());
            // The same preparation cannot be committed twice: the head moved.
            assertThrows(IllegalStateException.class,
                    () -> store.commit(block(1, genesis.hash(), genesisState.root(), List.of()), genesisState, List.of()));

            StateChanges c1 = new StateChanges();
            c1.put(b("a"), b("2"));
            PreparedState first = store.prepare(c1);
            StateChanges c2 = new StateChanges();
            c2.put(b("b"), b("2"));
            PreparedState second = store.prepare(c2);
            assertThrows(IllegalStateException.class,
                    () -> store.commit(block(2, genesis.hash(), first.root(), List.of()), first, List.of()));
            assertThrows(IllegalStateException.class,
                    () -> store.commit(block(0, genesis.hash(), first.root(), List.of()), first, List.of()));
            assertThrows(IllegalStateException.class,
                    () -> store.commit(block(1, Hash.ZERO, first.root(), List.of()), first, List.of()));
            assertEquals(genesis.header(), store.head().orElseThrow());
            Block one = block(1, genesis.hash(), first.root(), List.of());
            store.commit(one, first, List.of());
            assertThrows(IllegalStateException.class,
                    () -> store.commit(block(2, one.hash(), second.root(), List.of()), second, List.of()));

            assertEquals(one.header(), store.head().orElseThrow());
            assertArrayEquals(b("2"), store.state().get(b("a")));
            assertNull(store.state().get(b("b")));
        }
    }

    @Test
    void incrementalRootAgreesWithBruteForceOverRandomOperations() throws IOException {
        Random random = new Random(7);
        List<byte[]> keyPool = new ArrayList<>(bucketEdgeKeys());
        for (int i = 0; i < 60; i++) {
            byte[] key = new byte[random.nextInt(12)];
            random.nextBytes(key);
            keyPool.add(key);
        }
        TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
        Path dir = tmp.resolve("db");
        ChainStore store = ChainStore.open(dir, false);
        try {
            StateChanges pending = new StateChanges();
            TreeMap<byte[], byte[]> pendingModel = new TreeMap<>(Arrays::compareUnsigned);
            for (int op = 1; op <= 400; op++) {
                byte[] key = keyPool.get(random.nextInt(keyPool.size()));
                if (random.nextInt(3) == 0) {
                    pending.delete(key);
                    pendingModel.remove(key);
                } else {
                    byte[] value = new byte[random.nextInt(20)];
                    random.nextBytes(value);
                    pending.put(key, value);
                    pendingModel.put(key, value);
                }
                if (op % 40 == 0) {
                    assertEquals(referenceRoot(pendingModel), store.prepare(pending).root(), "prepared at op " + op);
                }
                if (random.nextInt(8) == 0 || op == 400) {
                    commitNext(store, pending);
                    model = new TreeMap<>(pendingModel);
                    pending = new StateChanges();
                    if (op % 5 == 0) {
                        store.close();
                        store = ChainStore.open(dir, false);
                    }
                }
                if (op % 50 == 0) {
                    assertEquals(referenceRoot(model), store.stateRoot(), "committed at op " + op);
                }
            }
            assertEquals(referenceRoot(model), store.stateRoot());
            for (byte[] key : keyPool) {
                byte[] expected = model.get(key);
                if (expected == null) {
                    assertNull(store.state().get(key));
                } else {
                    assertArrayEquals(expected, store.state().get(key));
                }
            }
        } finally {
            store.close();
        }
    }

    @Test
    void readersSeeConsistentCommitsWhileTheWriterRuns() throws Exception {
        int blocksToWrite = 60;
        try (ChainStore store = ChainStore.open(tmp.resolve("db"), false)) {
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong checks = new AtomicLong();
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                readers.add(Thread.ofPlatform().start(() -> {
                    try {
                        while (!done.get()) {
                            Optional<BlockHeader> head = store.head();
                            if (head.isEmpty()) {
                                continue;
                            }
                            long h = head.get().height();
                            Block block = store.blockAt(h).orElseThrow();
                            assertEquals(head.get(), block.header());
                            assertEquals(1, store.events(h).orElseThrow().size());
                            Transaction t = block.transactions().get(0);
                            assertEquals(new TxLocation(h, block.hash(), 0), store.tx(t.hash()).orElseThrow());
                            assertArrayEquals(b("v" + h), store.state().get(b("k" + h)));
                            long counter = ByteBuffer.wrap(store.state().get(b("counter"))).getLong();
                            assertTrue(counter >= h, "state behind head");
                            checks.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            try {
                for (int h = 0; h < blocksToWrite && failure.get() == null; h++) {
                    StateChanges c = new StateChanges();
                    c.put(b("counter"), ByteBuffer.allocate(8).putLong(h).array());
                    c.put(b("k" + h), b("v" + h));
                    commitNext(store, c, List.of(tx(h)),
                            List.of(new EventRecord(0, new Event.Transfer(ALICE.account(), BOB.account(), 5))));
                }
            } finally {
                done.set(true);
                for (Thread t : readers) {
                    t.join();
                }
            }
            if (failure.get() != null) {
                throw new AssertionError("a reader failed", failure.get());
            }
            assertEquals(blocksToWrite - 1, store.head().orElseThrow().height());
            assertTrue(checks.get() > 0);
        }
    }

    @Test
    void aDirectoryInUseIsRefusedClearly() throws IOException {
        Path dir = tmp.resolve("db");
        try (ChainStore store = ChainStore.open(dir, false)) {
            IOException e = assertThrows(IOException.class, () -> ChainStore.open(dir, false));
            assertEquals("data directory " + dir + " is in use by another cloister process", e.getMessage());
            assertEquals(ChainStore.EMPTY_STATE_ROOT, store.stateRoot());
        }
        // Once closed, it opens again.
        try (ChainStore store = ChainStore.open(dir, false)) {
            assertTrue(store.head().isEmpty());
        }
    }

    @Test
    void openFailsLoudlyWhenTheStoredStateDoesNotMatchTheHead() throws Exception {
        Path dir = tmp.resolve("db");
        try (ChainStore store = ChainStore.open(dir, false)) {
            StateChanges c = new StateChanges();
            c.put(b("a"), b("1"));
            c.put(b("b"), b("2"));
            commitNext(store, c);
        }
        // Tamper behind the store's back: drop one bucket hash.
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
        for (String name : List.of("meta", "blocks", "heights", "state", "buckets", "events", "txindex", "workermsgs")) {
            descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.US_ASCII)));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
             RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles)) {
            byte[] d = Sha256.digest(b("a"));
            db.delete(handles.get(5), new byte[] {d[0], d[1]});
            handles.forEach(ColumnFamilyHandle::close);
        }
        IOException e = assertThrows(IOException.class, () -> ChainStore.open(dir, false));
        assertTrue(e.getMessage().startsWith("state root mismatch in " + dir + ": head block #0 commits to state root "),
                e.getMessage());
        // The failed open released the directory.
        RocksDB.loadLibrary();
        try (DBOptions options = new DBOptions(); RocksDB db = RocksDB.open(options, dir.toString(), descriptors,
                handles = new ArrayList<>())) {
            assertFalse(handles.isEmpty());
            assertTrue(db.get(handles.get(1), b("head")) != null, "head pointer kept");
            handles.forEach(ColumnFamilyHandle::close);
        }
    }

    @Test
    void aClosedStoreRefusesUse() throws IOException {
        ChainStore store = ChainStore.open(tmp.resolve("db"), false);
        StateReader state = store.state();
        store.close();
        store.close();
        assertThrows(IllegalStateException.class, () -> state.get(b("a")));
        assertThrows(IllegalStateException.class, () -> store.blockAt(0));
        assertThrows(IllegalStateException.class, () -> store.prepare(new StateChanges()));
    }
}
