package cloister.chain.runtime.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import cloister.chain.runtime.BlockState;
import cloister.chain.store.StateReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.WorkerId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registry's worker list: one key per worker, and a chain written with the older single list still reads. */
class WorkerListTest {
    private static final byte[] LEGACY = {0x02, 0x11};

    private static WorkerId id(int i) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) i);
        return WorkerId.of(b);
    }

    private static StateReader state(Map<String, byte[]> map) {
        return key -> {
            byte[] v = map.get(Arrays.toString(key));
            return v == null ? null : v.clone();
        };
    }

    @Test
    void appendsInOrderOnAnEmptyChain() {
        BlockState s = new BlockState(state(new HashMap<>()), 1, 0);
        assertEquals(List.of(), Registry.workers(s));
        List<WorkerId> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Registry.appendWorker(s, id(i));
            expected.add(id(i));
            assertEquals(expected, Registry.workers(s));
            assertEquals(i + 1, Registry.workerCount(s));
        }
    }

    @Test
    void aLegacyListIsReadAndMovedOnTheNextRegistration() {
        Map<String, byte[]> map = new HashMap<>();
        CanonicalWriter w = new CanonicalWriter(4 + 3 * 32).u32(3);
        for (int i = 0; i < 3; i++) {
            w.fixed(id(i).bytes());
        }
        map.put(Arrays.toString(LEGACY), w.toByteArray());
        BlockState s = new BlockState(state(map), 1, 0);
        assertEquals(List.of(id(0), id(1), id(2)), Registry.workers(s));
        assertEquals(3, Registry.workerCount(s));
        Registry.appendWorker(s, id(3));
        assertEquals(List.of(id(0), id(1), id(2), id(3)), Registry.workers(s));
        assertEquals(4, Registry.workerCount(s));
        assertNull(s.get(LEGACY), "the single list is gone once moved");
    }
}
