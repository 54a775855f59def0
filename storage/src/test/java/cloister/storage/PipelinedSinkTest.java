package cloister.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.storage.cid.Cid;
import cloister.storage.chunk.PipelinedSink;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelinedSinkTest {
    @Test
    void blocksArriveInOrderAndAllHaveLandedWhenCloseReturns() throws Exception {
        List<Cid> seen = Collections.synchronizedList(new ArrayList<>());
        List<Cid> sent = new ArrayList<>();
        try (PipelinedSink sink = new PipelinedSink((cid, block) -> {
            seen.add(cid);
            Thread.onSpinWait();
        }, 2)) {
            for (int i = 0; i < 500; i++) {
                byte[] b = {(byte) i, (byte) (i >> 8)};
                sent.add(Cid.raw(b));
                sink.put(Cid.raw(b), b);
            }
        }
        assertEquals(sent, seen);
    }

    @Test
    void theTargetsFailureReachesTheProducer() {
        IOException e = assertThrows(IOException.class, () -> {
            try (PipelinedSink sink = new PipelinedSink((cid, block) -> {
                throw new IOException("disk full");
            }, 2)) {
                for (int i = 0; i < 100; i++) {
                    sink.put(Cid.raw(new byte[] {(byte) i}), new byte[] {(byte) i});
                }
            }
        });
        assertTrue(e.getMessage().contains("disk full"), e.getMessage());
    }
}
