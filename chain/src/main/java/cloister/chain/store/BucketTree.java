package cloister.chain.store;

import cloister.common.Hash;
import cloister.crypto.Sha256;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;

/**
 * The bucketed Merkle commitment to the state (docs/state-root.md): 2^16 buckets chosen by the first two bytes of
 * SHA-256(key), each bucket hashed over its sorted entries, and a complete binary tree of depth 16 over the bucket
 * hashes. This class holds the whole tree (2^17 - 1 nodes, 4 MiB) in one flat array laid out as a binary heap:
 * node 1 is the root, node i has children 2i and 2i+1, bucket b is node 2^16 + b.
 *
 * <p>Not thread-safe: only the store's writer touches it.
 */
final class BucketTree {
    static final int DEPTH = 16;
    static final int BUCKETS = 1 << DEPTH;
    static final byte NODE_TAG = 0x01;
    private static final int H = Hash.LENGTH;

    /** EMPTY[h] = the hash of a subtree of height h whose buckets are all empty; EMPTY[0] is 32 zero bytes. */
    private static final byte[][] EMPTY = new byte[DEPTH + 1][];

    static {
        EMPTY[0] = new byte[H];
        for (int h = 1; h <= DEPTH; h++) {
            EMPTY[h] = Sha256.hashTagged(NODE_TAG, EMPTY[h - 1], EMPTY[h - 1]).bytes();
        }
    }

    /** Node i occupies nodes[i*32, i*32+32); index 0 is unused. */
    private final byte[] nodes = new byte[2 * BUCKETS * H];

    /** A tree over an empty state. */
    BucketTree() {
        for (int depth = 0; depth <= DEPTH; depth++) {
            byte[] empty = EMPTY[DEPTH - depth];
            for (int i = 1 << depth; i < 1 << (depth + 1); i++) {
                System.arraycopy(empty, 0, nodes, i * H, H);
            }
        }
    }

    static Hash emptyRoot() {
        return Hash.of(EMPTY[DEPTH]);
    }

    /** The bucket of a state key: the first two bytes of SHA-256(key), big-endian. */
    static int bucketOf(byte[] key) {
        byte[] d = Sha256.digest(key);
        return (d[0] & 0xff) << 8 | (d[1] & 0xff);
    }

    static byte[] bucketPrefix(int bucket) {
        return new byte[] {(byte) (bucket >>> 8), (byte) bucket};
    }

    static boolean isEmptyBucketHash(byte[] hash) {
        return Arrays.equals(hash, EMPTY[0]);
    }

    Hash root() {
        return Hash.wrap(node(1));
    }

    /** Sets a bucket's hash without rehashing its path: call {@link #rehashAll()} after loading all buckets. */
    void loadBucket(int bucket, byte[] hash) {
        if (hash.length != H) {
            throw new IllegalArgumentException("a bucket hash is 32 bytes, got " + hash.length);
        }
        System.arraycopy(hash, 0, nodes, (BUCKETS + bucket) * H, H);
    }

    /** Recomputes every inner node from the buckets (about 65k hashes, fewer for a sparse state). */
    void rehashAll() {
        for (int depth = DEPTH - 1; depth >= 0; depth--) {
            int childHeight = DEPTH - depth - 1;
            for (int i = 1 << depth; i < 1 << (depth + 1); i++) {
                byte[] parent = parentOf(node(2 * i), node(2 * i + 1), childHeight);
                System.arraycopy(parent, 0, nodes, i * H, H);
            }
        }
    }

    /**
     * The nodes that change, and the new root, if the given buckets take the given hashes. Does not modify the
     * tree. Each dirty bucket's path is rehashed once per level, shared paths once.
     *
     * @param bucketHashes bucket → its new hash (32 zero bytes for a now-empty bucket)
     */
    Update compute(SortedMap<Integer, byte[]> bucketHashes) {
        Map<Integer, byte[]> changed = new HashMap<>(bucketHashes.size() * 4);
        int[] level = new int[bucketHashes.size()];
        int n = 0;
        for (Map.Entry<Integer, byte[]> e : bucketHashes.entrySet()) {
            int index = BUCKETS + e.getKey();
            changed.put(index, e.getValue().clone());
            level[n++] = index;
        }
        for (int childHeight = 0; childHeight < DEPTH; childHeight++) {
            // `level` is ascending, so siblings and duplicate parents are adjacent.
            int m = 0;
            for (int k = 0; k < n; k++) {
                int parent = level[k] >>> 1;
                if (m > 0 && level[m - 1] == parent) {
                    continue;
                }
                byte[] left = changed.containsKey(2 * parent) ? changed.get(2 * parent) : node(2 * parent);
                byte[] right = changed.containsKey(2 * parent + 1) ? changed.get(2 * parent + 1) : node(2 * parent + 1);
                changed.put(parent, parentOf(left, right, childHeight));
                level[m++] = parent;
            }
            n = m;
        }
        Hash root = changed.containsKey(1) ? Hash.of(changed.get(1)) : root();
        return new Update(Map.copyOf(changed), root);
    }

    /** Writes a computed update into the tree. */
    void apply(Update update) {
        for (Map.Entry<Integer, byte[]> e : update.nodes().entrySet()) {
            System.arraycopy(e.getValue(), 0, nodes, e.getKey() * H, H);
        }
    }

    private byte[] node(int index) {
        return Arrays.copyOfRange(nodes, index * H, index * H + H);
    }

    /** SHA-256(0x01 ‖ left ‖ right); two empty subtrees give the precomputed empty hash (the same value, cheaper). */
    private static byte[] parentOf(byte[] left, byte[] right, int childHeight) {
        if (Arrays.equals(left, EMPTY[childHeight]) && Arrays.equals(right, EMPTY[childHeight])) {
            return EMPTY[childHeight + 1].clone();
        }
        return Sha256.hashTagged(NODE_TAG, left, right).bytes();
    }

    /** The tree nodes (heap index → hash) an update changes, and the resulting root. Immutable. */
    record Update(Map<Integer, byte[]> nodes, Hash root) {}

    /**
     * Hashes one bucket: SHA-256 over its entries in unsigned key order, each u32 key length ‖ key ‖ u32 value
     * length ‖ value (big-endian). Entries must be added in that order. No entries gives 32 zero bytes.
     */
    static final class BucketHasher {
        private byte[] buf = new byte[256];
        private int size;
        private int entries;

        void add(byte[] key, byte[] value) {
            ensure(8 + key.length + value.length);
            putU32(key.length);
            System.arraycopy(key, 0, buf, size, key.length);
            size += key.length;
            putU32(value.length);
            System.arraycopy(value, 0, buf, size, value.length);
            size += value.length;
            entries++;
        }

        byte[] digest() {
            return entries == 0 ? EMPTY[0].clone() : Sha256.digest(Arrays.copyOf(buf, size));
        }

        private void ensure(int more) {
            if (buf.length - size < more) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }

        private void putU32(int v) {
            buf[size++] = (byte) (v >>> 24);
            buf[size++] = (byte) (v >>> 16);
            buf[size++] = (byte) (v >>> 8);
            buf[size++] = (byte) v;
        }
    }
}
