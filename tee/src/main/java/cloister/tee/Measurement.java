package cloister.tee;

import cloister.common.Hex;
import java.util.Arrays;

/**
 * What code an enclave runs, as its platform measures it: for {@code sim} SHA-256 of the worker artifact and its
 * version; for SGX the MRENCLAVE (32 bytes); for TDX the MRTD (48 bytes). Compared by value.
 */
public final class Measurement {
    public static final int MAX_LENGTH = 64;

    private final Platform platform;
    private final byte[] value;

    private Measurement(Platform platform, byte[] value) {
        this.platform = platform;
        this.value = value;
    }

    public static Measurement of(Platform platform, byte[] value) {
        if (value.length == 0 || value.length > MAX_LENGTH) {
            throw new IllegalArgumentException("a measurement is 1.." + MAX_LENGTH + " bytes, got " + value.length);
        }
        return new Measurement(platform, value.clone());
    }

    public Platform platform() {
        return platform;
    }

    public byte[] value() {
        return value.clone();
    }

    public String hex() {
        return Hex.encode(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Measurement m && m.platform == platform && Arrays.equals(m.value, value);
    }

    @Override
    public int hashCode() {
        return platform.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return platform.word() + ":" + hex();
    }
}
