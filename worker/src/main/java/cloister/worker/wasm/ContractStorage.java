package cloister.worker.wasm;

import cloister.chain.wasm.HostAbi;
import cloister.common.Hash;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A contract's private state: a map from byte keys to byte values, sorted by key as unsigned bytes. The engine only
 * reads it during a call; the host applies a successful call's {@link CallResult#writes()} with {@link #apply}.
 * Not thread-safe: a command must not run while the state is changed.
 *
 * <p>{@link #stateHash()} is SHA-256 over the entries in key order, each encoded as
 * {@code u32be(len(key)) ‖ key ‖ u32be(len(value)) ‖ value}; the empty state hashes the empty string. Two workers
 * with the same state have the same hash.
 */
public final class ContractStorage {
    private final TreeMap<byte[], byte[]> entries = new TreeMap<>(Arrays::compareUnsigned);

    public ContractStorage() {}

    /** A copy of {@code entries}. */
    public static ContractStorage of(Map<byte[], byte[]> entries) {
        ContractStorage s = new ContractStorage();
        entries.forEach(s::put);
        return s;
    }

    /** The value of {@code key}, or null. */
    public byte[] get(byte[] key) {
        byte[] v = entries.get(key);
        return v == null ? null : v.clone();
    }

    /** Whether {@code key} is set. */
    public boolean contains(byte[] key) {
        return entries.containsKey(key);
    }

    public void put(byte[] key, byte[] value) {
        if (key.length > HostAbi.MAX_KEY_BYTES || value.length > HostAbi.MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("keys are at most 256 bytes, values at most 64 KiB");
        }
        entries.put(key.clone(), value.clone());
    }

    public void remove(byte[] key) {
        entries.remove(key);
    }

    /** Applies a successful call's writes. */
    public void apply(List<StorageWrite> writes) {
        for (StorageWrite w : writes) {
            if (w.isRemoval()) {
                remove(w.key());
            } else {
                put(w.key(), w.value());
            }
        }
    }

    public int size() {
        return entries.size();
    }

    /** An independent copy. */
    public ContractStorage copy() {
        ContractStorage c = new ContractStorage();
        c.entries.putAll(entries); // values are never mutated in place, so sharing the arrays is safe
        return c;
    }

    /** A read-only view, sorted by key; do not modify the arrays. */
    public NavigableMap<byte[], byte[]> view() {
        return Collections.unmodifiableNavigableMap(entries);
    }

    /** Reads without copying: for the engine, which never hands the array out. */
    byte[] peek(byte[] key) {
        return entries.get(key);
    }

    /** SHA-256 over the sorted entries, as documented above. */
    public Hash stateHash() {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer len = ByteBuffer.allocate(4);
        for (Map.Entry<byte[], byte[]> e : entries.entrySet()) {
            sha.update(len.clear().putInt(e.getKey().length).array());
            sha.update(e.getKey());
            sha.update(len.clear().putInt(e.getValue().length).array());
            sha.update(e.getValue());
        }
        return Hash.wrap(sha.digest());
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ContractStorage s) || s.entries.size() != entries.size()) {
            return false;
        }
        var a = entries.entrySet().iterator();
        var b = s.entries.entrySet().iterator();
        while (a.hasNext()) {
            var x = a.next();
            var y = b.next();
            if (!Arrays.equals(x.getKey(), y.getKey()) || !Arrays.equals(x.getValue(), y.getValue())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return stateHash().hashCode();
    }

    @Override
    public String toString() {
        return "ContractStorage[" + entries.size() + " entries]";
    }
}
