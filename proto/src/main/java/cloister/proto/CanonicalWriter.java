package cloister.proto;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the canonical encoding described in {@code docs/codec.md}: fixed-width big-endian integers, fixed-size
 * hashes/keys, length-prefixed byte strings. Every value has exactly one encoding.
 */
public final class CanonicalWriter {
    private byte[] buf;
    private int size;

    public CanonicalWriter() {
        this(256);
    }

    public CanonicalWriter(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
        }
    }

    public CanonicalWriter u8(int v) {
        if (v < 0 || v > 0xff) {
            throw new IllegalArgumentException("u8 out of range: " + v);
        }
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    public CanonicalWriter bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    public CanonicalWriter u16(int v) {
        if (v < 0 || v > 0xffff) {
            throw new IllegalArgumentException("u16 out of range: " + v);
        }
        ensure(2);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
        return this;
    }

    /** An unsigned 32-bit value held in a non-negative int. */
    public CanonicalWriter u32(int v) {
        if (v < 0) {
            throw new IllegalArgumentException("u32 out of range: " + v);
        }
        ensure(4);
        buf[size++] = (byte) (v >>> 24);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
        return this;
    }

    /** A 64-bit value held in a non-negative long (amounts, nonces, heights, timestamps). */
    public CanonicalWriter u64(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("u64 out of range: " + v);
        }
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    public CanonicalWriter hash(Hash h) {
        ensure(Hash.LENGTH);
        h.copyTo(buf, size);
        size += Hash.LENGTH;
        return this;
    }

    public CanonicalWriter account(AccountId a) {
        ensure(AccountId.LENGTH);
        a.copyTo(buf, size);
        size += AccountId.LENGTH;
        return this;
    }

    /** Raw bytes of a length fixed by the format (no prefix). */
    public CanonicalWriter fixed(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    /** u32 length then the bytes. */
    public CanonicalWriter bytes(byte[] b) {
        u32(b.length);
        return fixed(b);
    }

    /** u32 length then UTF-8 bytes. */
    public CanonicalWriter string(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public int size() {
        return size;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
