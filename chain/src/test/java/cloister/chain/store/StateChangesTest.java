package cloister.chain.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateChangesTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void lookupDistinguishesUnchangedPutAndDeleted() {
        StateChanges c = new StateChanges();
        assertTrue(c.isEmpty());
        assertEquals(StateChanges.Lookup.UNCHANGED, c.lookup(b("k")));
        c.put(b("k"), b("v"));
        assertArrayEquals(b("v"), assertInstanceOf(StateChanges.Lookup.Put.class, c.lookup(b("k"))).value());
        c.delete(b("k"));
        assertEquals(StateChanges.Lookup.DELETED, c.lookup(b("k")));
        c.put(b("empty"), new byte[0]);
        assertArrayEquals(new byte[0], assertInstanceOf(StateChanges.Lookup.Put.class, c.lookup(b("empty"))).value());
        assertEquals(2, c.size());
    }

    @Test
    void overReadsChangesFirstThenBase() {
        Map<String, byte[]> base = new HashMap<>(Map.of("a", b("base-a"), "b", b("base-b"), "c", b("base-c")));
        StateReader baseReader = key -> base.get(new String(key, StandardCharsets.UTF_8));
        StateChanges c = new StateChanges();
        StateReader view = c.over(baseReader);
        c.put(b("a"), b("new-a"));
        c.delete(b("b"));
        c.put(b("d"), b("new-d"));
        assertArrayEquals(b("new-a"), view.get(b("a")));
        assertNull(view.get(b("b")));
        assertArrayEquals(b("base-c"), view.get(b("c")));
        assertArrayEquals(b("new-d"), view.get(b("d")));
        assertNull(view.get(b("e")));
    }

    @Test
    void putAllMergesWithLaterWritesWinning() {
        StateChanges block = new StateChanges();
        block.put(b("a"), b("1"));
        block.put(b("b"), b("1"));
        block.put(b("c"), b("1"));
        StateChanges tx = new StateChanges();
        tx.put(b("a"), b("2"));
        tx.delete(b("b"));
        tx.put(b("d"), b("2"));
        block.putAll(tx);
        assertEquals(4, block.size());
        StateReader view = block.over(key -> null);
        assertArrayEquals(b("2"), view.get(b("a")));
        assertNull(view.get(b("b")));
        assertEquals(StateChanges.Lookup.DELETED, block.lookup(b("b")));
        assertArrayEquals(b("1"), view.get(b("c")));
        assertArrayEquals(b("2"), view.get(b("d")));
        // The merged set does not follow later changes to the source.
        tx.put(b("a"), b("3"));
        assertArrayEquals(b("2"), view.get(b("a")));
    }

    @Test
    void keysAndValuesAreCopiedInAndOut() {
        StateChanges c = new StateChanges();
        byte[] key = b("key");
        byte[] value = b("value");
        c.put(key, value);
        key[0] = 'X';
        value[0] = 'X';
        StateReader view = c.over(k -> null);
        byte[] read = view.get(b("key"));
        assertArrayEquals(b("value"), read);
        read[0] = 'Y';
        assertArrayEquals(b("value"), view.get(b("key")));
        assertNull(view.get(b("Xey")));
    }

    @Test
    void keysCompareAsUnsignedBytes() {
        StateChanges c = new StateChanges();
        c.put(new byte[] {(byte) 0x80}, b("high"));
        c.put(new byte[] {0x7f}, b("low"));
        assertEquals(2, c.size());
        assertEquals("[[127], [-128]]",
                c.writes().keySet().stream().map(java.util.Arrays::toString).toList().toString());
    }
}
