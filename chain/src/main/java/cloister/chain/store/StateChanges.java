package cloister.chain.store;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A set of state writes (puts and deletes) recorded while applying transactions, not yet committed. Keys are
 * compared as unsigned bytes; a later write to a key replaces an earlier one. Keys and values are copied on the
 * way in and out, so callers can reuse their arrays.
 *
 * <p>Not thread-safe: one change set belongs to the one thread applying a block. The usual pattern is one change
 * set per transaction laid {@linkplain #over(StateReader) over} the block's change set, merged into it with
 * {@link #putAll(StateChanges)} if the transaction succeeds and dropped if it fails.
 */
public final class StateChanges {
    /** key → new value, or {@code null} for a deletion. Keys and values are private copies, never mutated. */
    private final TreeMap<byte[], byte[]> writes = new TreeMap<>(Arrays::compareUnsigned);

    /** Records that {@code key} now holds {@code value} (an empty value is a value, not a deletion). */
    public void put(byte[] key, byte[] value) {
        writes.put(Objects.requireNonNull(key, "key").clone(), Objects.requireNonNull(value, "value").clone());
    }

    /** Records that {@code key} is now absent. */
    public void delete(byte[] key) {
        writes.put(Objects.requireNonNull(key, "key").clone(), null);
    }

    /** What these changes say about {@code key}: unchanged, put to a value, or deleted. */
    public Lookup lookup(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (!writes.containsKey(key)) {
            return Lookup.UNCHANGED;
        }
        byte[] value = writes.get(key);
        return value == null ? Lookup.DELETED : new Lookup.Put(value);
    }

    /** The number of keys written (put or deleted). */
    public int size() {
        return writes.size();
    }

    public boolean isEmpty() {
        return writes.isEmpty();
    }

    /**
     * A live reader of {@code base} with these changes applied on top: later changes to this set are visible
     * through it.
     */
    public StateReader over(StateReader base) {
        Objects.requireNonNull(base, "base");
        return key -> {
            byte[] value = writes.get(Objects.requireNonNull(key, "key"));
            if (value != null) {
                return value.clone();
            }
            return writes.containsKey(key) ? null : base.get(key);
        };
    }

    /** Adds all of {@code other}'s writes to this set; where both wrote a key, {@code other}'s write wins. */
    public void putAll(StateChanges other) {
        if (other != this) {
            // Sharing the arrays is safe: both sets treat their keys and values as immutable.
            writes.putAll(other.writes);
        }
    }

    /** The writes in unsigned key order, for {@link ChainStore#prepare}: a value of {@code null} is a deletion. */
    Map<byte[], byte[]> writes() {
        return writes;
    }

    @Override
    public String toString() {
        return "StateChanges[" + writes.size() + " keys]";
    }

    /**
     * The result of {@link #lookup(byte[])}: {@link Unchanged} (read the base state), {@link Deleted}, or
     * {@link Put} with the new value. Meant for a pattern-matching {@code switch}.
     */
    public sealed interface Lookup {
        Unchanged UNCHANGED = new Unchanged();
        Deleted DELETED = new Deleted();

        /** No write recorded for the key: its value is whatever the base state holds. */
        record Unchanged() implements Lookup {}

        /** The key was deleted. */
        record Deleted() implements Lookup {}

        /** The key was put; {@link #value()} returns a copy of the new value. */
        record Put(byte[] value) implements Lookup {
            public Put {
                value = Objects.requireNonNull(value, "value").clone();
            }

            @Override
            public byte[] value() {
                return value.clone();
            }

            @Override
            public boolean equals(Object o) {
                return o instanceof Put p && Arrays.equals(value, p.value);
            }

            @Override
            public int hashCode() {
                return Arrays.hashCode(value);
            }

            @Override
            public String toString() {
                return "Put[" + value.length + " bytes]";
            }
        }
    }
}
