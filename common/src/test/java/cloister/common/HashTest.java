package cloister.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class HashTest {
    private static final String HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void hexRoundTrip() {
        Hash h = Hash.fromHex(HEX);
        assertEquals(HEX, h.hex());
        assertEquals(HEX, h.toString());
        assertEquals("e3b0c442", h.shortHex());
        assertEquals(h, Hash.fromHex("0x" + HEX.toUpperCase(java.util.Locale.ROOT)));
    }

    @Test
    void refusesWrongLengths() {
        assertThrows(IllegalArgumentException.class, () -> Hash.of(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> Hash.of(new byte[33]));
        assertThrows(IllegalArgumentException.class, () -> Hash.wrap(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> Hash.fromHex(HEX.substring(2)));
    }

    @Test
    void isImmutable() {
        byte[] src = new byte[32];
        Hash h = Hash.of(src);
        src[0] = 1;
        assertEquals(Hash.ZERO, h, "of() must copy its input");
        byte[] out = h.bytes();
        out[0] = 1;
        assertEquals(Hash.ZERO, h, "bytes() must return a copy");
        assertArrayEquals(new byte[32], Hash.ZERO.bytes());
    }

    @Test
    void copyToWritesAtOffset() {
        Hash h = Hash.fromHex(HEX);
        byte[] dst = new byte[40];
        h.copyTo(dst, 4);
        assertEquals(0, dst[3]);
        assertEquals((byte) 0xe3, dst[4]);
        assertEquals((byte) 0x55, dst[35]);
        assertEquals(0, dst[36]);
    }

    @Test
    void equalsAndHashCode() {
        Hash a = Hash.fromHex(HEX);
        Hash b = Hash.fromHex(HEX);
        byte[] other = a.bytes();
        other[31] ^= 1;
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, Hash.of(other));
        assertNotEquals(a, (Object) HEX);
    }

    @Test
    void ordersByUnsignedBytes() {
        byte[] high = new byte[32];
        high[0] = (byte) 0x80; // negative as a signed byte: must still sort after 0x7f
        byte[] low = new byte[32];
        low[0] = 0x7f;
        byte[] lastByte = new byte[32];
        lastByte[31] = 1;
        List<Hash> list = new ArrayList<>(List.of(Hash.of(high), Hash.of(low), Hash.ZERO, Hash.of(lastByte)));
        Collections.sort(list);
        assertEquals(List.of(Hash.ZERO, Hash.of(lastByte), Hash.of(low), Hash.of(high)), list);
        assertTrue(Hash.of(high).compareTo(Hash.of(low)) > 0);
        assertEquals(0, Hash.ZERO.compareTo(Hash.of(new byte[32])));
    }
}
