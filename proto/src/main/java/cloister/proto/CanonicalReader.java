package cloister.proto;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the canonical encoding strictly: every read checks the remaining length, booleans must be 0 or 1,
 * u32/u64 values must fit a non-negative int/long, strings must be valid UTF-8, and {@link #end()} refuses
 * trailing bytes. Any violation is a {@link MalformedException}.
 */
public final class CanonicalReader {
    private final byte[] buf;
    private final int limit;
    private int pos;

    public CanonicalReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public CanonicalReader(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.limit = offset + length;
    }

    private void need(int n, String what) {
        if (n < 0 || limit - pos < n) {
            throw new MalformedException("truncated: " + what + " needs " + n + " bytes, " + (limit - pos) + " left");
        }
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return limit - pos;
    }

    public int u8(String what) {
        need(1, what);
        return buf[pos++] & 0xff;
    }

    public boolean bool(String what) {
        int v = u8(what);
        if (v > 1) {
            throw new MalformedException(what + ": boolean must be 0 or 1");
        }
        return v == 1;
    }

    public int u16(String what) {
        need(2, what);
        int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    public int u32(String what) {
        need(4, what);
        int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
        pos += 4;
        if (v < 0) {
            throw new MalformedException(what + ": value exceeds 2^31-1");
        }
        return v;
    }

    public long u64(String what) {
        need(8, what);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos + i] & 0xff);
        }
        pos += 8;
        if (v < 0) {
            throw new MalformedException(what + ": value exceeds 2^63-1");
        }
        return v;
    }

    public Hash hash(String what) {
        return Hash.wrap(fixed(Hash.LENGTH, what));
    }

    public AccountId account(String what) {
        need(AccountId.LENGTH, what);
        AccountId a = AccountId.of(Arrays.copyOfRange(buf, pos, pos + AccountId.LENGTH));
        pos += AccountId.LENGTH;
        return a;
    }

    public byte[] fixed(int n, String what) {
        need(n, what);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    /** A u32-length-prefixed byte string of at most {@code maxLength} bytes. */
    public byte[] bytes(int maxLength, String what) {
        int n = u32(what + " length");
        if (n > maxLength) {
            throw new MalformedException(what + ": length " + n + " exceeds the limit " + maxLength);
        }
        return fixed(n, what);
    }

    public String string(int maxLength, String what) {
        byte[] b = bytes(maxLength, what);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedException(what + ": not valid UTF-8");
        }
    }

    /** Refuses trailing bytes. */
    public void end(String what) {
        if (pos != limit) {
            throw new MalformedException(what + ": " + (limit - pos) + " unexpected trailing bytes");
        }
    }
}
