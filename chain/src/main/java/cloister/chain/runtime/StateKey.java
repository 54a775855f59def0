package cloister.chain.runtime;

import java.util.Arrays;

/** A state key as a map key: byte contents compared by value. */
final class StateKey {
    final byte[] bytes;
    private final int hash;

    StateKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StateKey k && hash == k.hash && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
