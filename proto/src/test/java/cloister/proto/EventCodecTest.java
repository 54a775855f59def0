package cloister.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hash;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventCodecTest {
    private static final long SEED = 0xE7E7L;

    @Test
    void everyEventVariantRoundTrips() {
        Arbitrary arb = new Arbitrary(SEED);
        Set<Class<?>> seen = new HashSet<>();
        for (int variant = 0; variant < Arbitrary.EVENT_VARIANTS; variant++) {
            for (int round = 0; round < 100; round++) {
                List<EventRecord> one = List.of(new EventRecord(arb.txIndex(), arb.event(variant)));
                byte[] bytes = EventCodec.encode(one);
                List<EventRecord> back = EventCodec.decode(bytes);
                String where = "variant " + variant + " round " + round + " (seed " + SEED + ")";
                assertEquals(one, back, where);
                assertArrayEquals(bytes, EventCodec.encode(back), where);
                seen.add(back.get(0).event().getClass());
            }
        }
        assertEquals(Arbitrary.EVENT_VARIANTS, seen.size(), "every event variant seen: " + seen);
    }

    @Test
    void mixedListsRoundTrip() {
        Arbitrary arb = new Arbitrary(SEED + 1);
        for (int n = 0; n <= 40; n++) {
            List<EventRecord> events = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                events.add(new EventRecord(arb.txIndex(), arb.event(arb.random().nextInt(Arbitrary.EVENT_VARIANTS))));
            }
            byte[] bytes = EventCodec.encode(events);
            assertEquals(events, EventCodec.decode(bytes), n + " events");
            assertArrayEquals(bytes, EventCodec.encode(EventCodec.decode(bytes)));
        }
    }

    @Test
    void phaseIsTxIndexPlusOneAndBlockIsZero() {
        Event e = new Event.MinimumFeeChanged(5);
        assertArrayEquals(new byte[] {0, 0, 0, 1, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 5},
                EventCodec.encode(List.of(new EventRecord(EventRecord.BLOCK, e))));
        assertArrayEquals(new byte[] {0, 0, 0, 1, 0, 0, 0, 1, 7, 0, 0, 0, 0, 0, 0, 0, 5},
                EventCodec.encode(List.of(new EventRecord(0, e))));
        assertArrayEquals(new byte[] {0, 0, 0, 1, 0, 0, 1, 0, 7, 0, 0, 0, 0, 0, 0, 0, 5},
                EventCodec.encode(List.of(new EventRecord(255, e))));
        assertArrayEquals(new byte[] {0, 0, 0, 0}, EventCodec.encode(List.of()));
        assertEquals(List.of(), EventCodec.decode(new byte[] {0, 0, 0, 0}));
    }

    @Test
    void eventTagsAreTheDocumentedOnes() {
        Arbitrary arb = new Arbitrary(SEED + 2);
        for (int variant = 0; variant < Arbitrary.EVENT_VARIANTS; variant++) {
            byte[] bytes = EventCodec.encode(List.of(new EventRecord(0, arb.event(variant))));
            assertEquals(variant + 1, bytes[8], "tag of variant " + variant);
        }
    }

    @Test
    void unknownTagsAreRefused() {
        byte[] bytes = EventCodec.encode(List.of(new EventRecord(0, new Event.MinimumFeeChanged(5))));
        for (int tag : new int[] {0x00, Arbitrary.EVENT_VARIANTS + 1, 0x80, 0xff}) {
            bytes[8] = (byte) tag;
            assertTrue(assertThrows(MalformedException.class, () -> EventCodec.decode(bytes)).getMessage().contains("unknown event tag"));
        }
    }

    @Test
    void invalidUtf8IsRefused() {
        byte[] bytes = EventCodec.encode(List.of(new EventRecord(0, new Event.SudoExecuted("ab"))));
        // count 4, phase 4, tag 1, length 4, then the two string bytes
        for (byte[] bad : new byte[][] {{(byte) 0xc3, 0x28}, {(byte) 0xff, 'a'}, {(byte) 0xc0, (byte) 0x80}, {(byte) 0xed, (byte) 0xa0}}) {
            byte[] m = bytes.clone();
            m[13] = bad[0];
            m[14] = bad[1];
            assertTrue(assertThrows(MalformedException.class, () -> EventCodec.decode(m)).getMessage().contains("UTF-8"));
        }
    }

    @Test
    void overlongStringsAreRefused() {
        String atLimit = "x".repeat(4096);
        List<EventRecord> ok = List.of(new EventRecord(0, new Event.SudoExecuted(atLimit)));
        assertEquals(ok, EventCodec.decode(EventCodec.encode(ok)));
        CanonicalWriter w = new CanonicalWriter().u32(1).u32(1).u8(0x04).string("x".repeat(4097));
        assertTrue(assertThrows(MalformedException.class, () -> EventCodec.decode(w.toByteArray())).getMessage().contains("exceeds"));
    }

    @Test
    void encodingRefusesWhatDecodingWouldRefuse() {
        // 4097 bytes of UTF-8 (here 2049 two-byte characters = 4098 bytes) would encode to events no node can decode.
        String tooLong = "é".repeat(2049);
        assertThrows(IllegalArgumentException.class,
                () -> EventCodec.encode(List.of(new EventRecord(0, new Event.SudoExecuted(tooLong)))));
        assertThrows(IllegalArgumentException.class,
                () -> EventCodec.encode(List.of(new EventRecord(0, new Event.TxFailed(Hash.ZERO, "BAD_ORIGIN", tooLong)))));
        assertThrows(IllegalArgumentException.class,
                () -> EventCodec.encode(List.of(new EventRecord(0, new Event.TxFailed(Hash.ZERO, tooLong, "m")))));
        String atLimit = "é".repeat(2048);
        List<EventRecord> ok = List.of(new EventRecord(0, new Event.TxFailed(Hash.ZERO, "BAD_ORIGIN", atLimit)));
        assertEquals(ok, EventCodec.decode(EventCodec.encode(ok)));
    }

    @Test
    void truncationAndTrailingBytesAreRefused() {
        Arbitrary arb = new Arbitrary(SEED + 3);
        List<EventRecord> events = new ArrayList<>();
        for (int variant = 0; variant < Arbitrary.EVENT_VARIANTS; variant++) {
            events.add(new EventRecord(variant, arb.event(variant)));
        }
        byte[] bytes = EventCodec.encode(events);
        for (int len = 0; len < bytes.length; len++) {
            byte[] shorter = Arrays.copyOf(bytes, len);
            assertThrows(MalformedException.class, () -> EventCodec.decode(shorter), "length " + len);
        }
        assertThrows(MalformedException.class, () -> EventCodec.decode(Arrays.copyOf(bytes, bytes.length + 1)));
        byte[] hugeCount = bytes.clone();
        hugeCount[0] = 0x7f;
        assertThrows(MalformedException.class, () -> EventCodec.decode(hugeCount));
    }

    @Test
    void typeNames() {
        assertEquals("Transfer", new Event.Transfer(new Arbitrary(1).account(), new Arbitrary(2).account(), 1).type());
        assertEquals("TxFailed", new Event.TxFailed(Hash.ZERO, "BAD_ORIGIN", "m").type());
    }
}
