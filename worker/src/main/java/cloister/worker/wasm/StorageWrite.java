package cloister.worker.wasm;

import java.util.Arrays;

/**
 * One key a successful call changed: set to {@code value}, or removed when {@code value} is null. A call's writes
 * are sorted by key (unsigned bytes), one per key, the last value written.
 */
public record StorageWrite(byte[] key, byte[] value) {
    public StorageWrite {
        key = key.clone();
        value = value == null ? null : value.clone();
    }

    public static StorageWrite put(byte[] key, byte[] value) {
        return new StorageWrite(key, java.util.Objects.requireNonNull(value));
    }

    public static StorageWrite remove(byte[] key) {
        return new StorageWrite(key, null);
    }

    public boolean isRemoval() {
        return value == null;
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    /** The new value, or null for a removal. */
    @Override
    public byte[] value() {
        return value == null ? null : value.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StorageWrite w && Arrays.equals(key, w.key) && Arrays.equals(value, w.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "StorageWrite[" + key.length + "-byte key, " + (value == null ? "removed" : value.length + " bytes") + "]";
    }
}
