package cloister.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/auction.sh}, the WebAssembly contracts walk-through, run as a user runs it: against a devnet
 * started by the launcher, through a proxy that records every byte the CLI exchanged with the node. The script
 * itself checks each step (upload, instantiate, three encrypted bids, a refused second bid, the close, the result);
 * this test checks it passed, and that no bid's plaintext crossed the node's API — not as bytes, not as hex.
 */
class AuctionScriptIT {
    @TempDir
    Path tmp;

    @Test
    void theAuctionWalkThroughPassesAndNoBidCrossesTheApiInTheClear() throws Exception {
        Path log = tmp.resolve("devnet.log");
        try (Devnet devnet = Devnet.start(tmp.resolve("devnet"), Devnet.freePort(), log, "--instant-seal");
             RecordingProxy api = new RecordingProxy(devnet.port)) {
            devnet.awaitBootstrap();
            Devnet.Result r = script(api.url());
            assertEquals(0, r.exit(), "the script failed:\n" + r.out() + "\n" + r.err());
            assertTrue(r.out().contains("== 11. anyone queries the result"), r.out());
            assertTrue(r.out().contains("charlie won at 500"), r.out());
            byte[] traffic = concat(api.sent(), api.received());
            String latin = new String(traffic, StandardCharsets.ISO_8859_1);
            for (long amount : List.of(300L, 400L)) { // the losing bids: never public
                byte[] input = bidInput(amount);
                assertFalse(latin.contains(new String(input, StandardCharsets.ISO_8859_1)), "bid " + amount + " as bytes");
                assertFalse(latin.toLowerCase(java.util.Locale.ROOT).contains(Hex.encode(input)), "bid " + amount + " as hex");
            }
        }
    }

    @Test
    void theScriptSaysWhichStepFailedAndExitsNonZero() throws Exception {
        Devnet.Result r = script("http://127.0.0.1:" + Devnet.freePort());
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.err().contains("step 1 FAILED"), r.err());
        assertTrue(r.err().contains("NODE_UNREACHABLE"), r.err());
        Devnet.Result usage = script();
        assertEquals(2, usage.exit());
        assertTrue(usage.out().contains("examples/auction.sh http://"), usage.out());
    }

    private static Devnet.Result script(String... args) throws Exception {
        return Devnet.script("auction.sh", args);
    }

    /** The auction's bid input: 0x01 ‖ amount as a little-endian i64 (worker/src/main/wat/auction.wat). */
    private static byte[] bidInput(long amount) {
        byte[] b = new byte[9];
        b[0] = 1;
        for (int i = 0; i < 8; i++) {
            b[1 + i] = (byte) (amount >>> (8 * i));
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
