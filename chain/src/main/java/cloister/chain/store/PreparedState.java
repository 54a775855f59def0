package cloister.chain.store;

import cloister.common.Hash;

/**
 * The state that committing a set of {@link StateChanges} would produce, computed by {@link ChainStore#prepare}
 * but not written. It is valid for exactly one commit, on the store that prepared it, while that store's head has
 * not moved. Immutable: later changes to the {@code StateChanges} it came from do not affect it.
 */
public final class PreparedState {
    final ChainStore owner;
    final long generation;
    /** State column keys (bucket ‖ key) and their new values, {@code null} = delete. */
    final byte[][] stateKeys;
    final byte[][] stateValues;
    /** Dirty buckets and their new hashes (32 zero bytes = now empty). */
    final int[] buckets;
    final byte[][] bucketHashes;
    final BucketTree.Update tree;

    PreparedState(ChainStore owner, long generation, byte[][] stateKeys, byte[][] stateValues, int[] buckets,
                  byte[][] bucketHashes, BucketTree.Update tree) {
        this.owner = owner;
        this.generation = generation;
        this.stateKeys = stateKeys;
        this.stateValues = stateValues;
        this.buckets = buckets;
        this.bucketHashes = bucketHashes;
        this.tree = tree;
    }

    /** The state root after the changes: what the block header's {@code stateRoot} must be. */
    public Hash root() {
        return tree.root();
    }

    @Override
    public String toString() {
        return "PreparedState[root " + root().shortHex() + ", " + stateKeys.length + " keys in " + buckets.length
                + " buckets]";
    }
}
