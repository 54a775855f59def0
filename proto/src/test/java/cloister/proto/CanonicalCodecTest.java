package cloister.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hash;
import cloister.common.Hex;
import org.junit.jupiter.api.Test;

/** The primitive encodings of docs/codec.md. */
class CanonicalCodecTest {
    @Test
    void integersAreFixedWidthBigEndian() {
        byte[] b = new CanonicalWriter().u8(0xab).u16(0x0102).u32(0x01020304).u64(0x0102030405060708L).toByteArray();
        assertEquals("ab" + "0102" + "01020304" + "0102030405060708", Hex.encode(b));
        CanonicalReader r = new CanonicalReader(b);
        assertEquals(0xab, r.u8("a"));
        assertEquals(0x0102, r.u16("b"));
        assertEquals(0x01020304, r.u32("c"));
        assertEquals(0x0102030405060708L, r.u64("d"));
        assertEquals(0, r.remaining());
        r.end("all");
    }

    @Test
    void extremes() {
        byte[] b = new CanonicalWriter().u8(255).u16(65535).u32(Integer.MAX_VALUE).u64(Long.MAX_VALUE).u64(0).toByteArray();
        assertEquals("ff" + "ffff" + "7fffffff" + "7fffffffffffffff" + "0000000000000000", Hex.encode(b));
    }

    @Test
    void writerRefusesOutOfRangeValues() {
        CanonicalWriter w = new CanonicalWriter();
        assertThrows(IllegalArgumentException.class, () -> w.u8(256));
        assertThrows(IllegalArgumentException.class, () -> w.u8(-1));
        assertThrows(IllegalArgumentException.class, () -> w.u16(65536));
        assertThrows(IllegalArgumentException.class, () -> w.u32(-1));
        assertThrows(IllegalArgumentException.class, () -> w.u64(-1));
        assertEquals(0, w.size());
    }

    @Test
    void readerRefusesValuesAboveTheSignedRange() {
        assertThrows(MalformedException.class, () -> new CanonicalReader(Hex.decode("80000000")).u32("x"));
        assertThrows(MalformedException.class, () -> new CanonicalReader(Hex.decode("8000000000000000")).u64("x"));
    }

    @Test
    void boolIsZeroOrOne() {
        assertEquals("0100", Hex.encode(new CanonicalWriter().bool(true).bool(false).toByteArray()));
        CanonicalReader r = new CanonicalReader(Hex.decode("010002"));
        assertTrue(r.bool("t"));
        assertFalse(r.bool("f"));
        assertThrows(MalformedException.class, () -> r.bool("two"));
    }

    @Test
    void bytesAndStringsAreU32LengthPrefixed() {
        byte[] b = new CanonicalWriter().bytes(new byte[] {1, 2, 3}).string("é").string("").toByteArray();
        assertEquals("00000003010203" + "00000002c3a9" + "00000000", Hex.encode(b));
        CanonicalReader r = new CanonicalReader(b);
        assertArrayEquals(new byte[] {1, 2, 3}, r.bytes(3, "b"));
        assertEquals("é", r.string(2, "s"));
        assertEquals("", r.string(0, "empty"));
        r.end("all");
        assertThrows(MalformedException.class, () -> new CanonicalReader(b).bytes(2, "over the limit"));
        assertThrows(MalformedException.class, () -> new CanonicalReader(Hex.decode("0000000501")).bytes(10, "truncated"));
    }

    @Test
    void hashesAndAccountsAreRaw32Bytes() {
        Hash h = Hash.of(TransactionCodecTest.filled(32, 0x11));
        byte[] b = new CanonicalWriter().hash(h).toByteArray();
        assertEquals("11".repeat(32), Hex.encode(b));
        assertEquals(h, new CanonicalReader(b).hash("h"));
        assertThrows(MalformedException.class, () -> new CanonicalReader(new byte[31]).hash("short"));
        assertThrows(MalformedException.class, () -> new CanonicalReader(new byte[31]).account("short"));
    }

    @Test
    void writerGrowsBeyondItsInitialCapacity() {
        CanonicalWriter w = new CanonicalWriter(1);
        for (int i = 0; i < 1000; i++) {
            w.u32(i);
        }
        assertEquals(4000, w.size());
        CanonicalReader r = new CanonicalReader(w.toByteArray());
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, r.u32("i"));
        }
    }

    @Test
    void readerWithOffsetStaysInItsWindow() {
        byte[] buf = Hex.decode("ff0000000142ff");
        CanonicalReader r = new CanonicalReader(buf, 1, 5);
        assertEquals(1, r.u32("x"));
        assertEquals(0x42, r.u8("y"));
        r.end("window");
        assertThrows(MalformedException.class, () -> r.u8("past the window"));
    }
}
