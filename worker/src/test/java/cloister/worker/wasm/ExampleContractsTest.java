package cloister.worker.wasm;

import static cloister.worker.wasm.Contracts.as;
import static cloister.worker.wasm.Contracts.le64;
import static cloister.worker.wasm.Contracts.op;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.worker.wasm.CallResult.Status;
import cloister.worker.wasm.WasmEngine.Mode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The example contracts shipped in the jar, driven through the engine. */
class ExampleContractsTest {
    private static final long GAS = 10_000_000;
    private static final WasmEngine ENGINE = Contracts.engine(Mode.COMPILER);
    private static final int OWNER = 1;

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    /** A contract instance: its code and its storage, commands applied when OK. */
    private static final class Deployed {
        final byte[] wasm;
        final ContractStorage storage = new ContractStorage();

        Deployed(ExampleContract c, int owner, byte[] init) {
            this.wasm = c.wasm();
            assertEquals(Status.OK, command(owner, Entry.INIT, init).status());
        }

        CallResult command(int sender, Entry entry, byte[] input) {
            CallResult r = ENGINE.execute(wasm, entry, input, as(sender), storage, GAS);
            if (r.ok()) {
                storage.apply(r.writes());
            }
            return r;
        }

        CallResult call(int sender, byte[] input) {
            return command(sender, Entry.CALL, input);
        }

        CallResult query(int caller, byte[] input) {
            return ENGINE.execute(wasm, Entry.QUERY, input, as(caller), storage, GAS);
        }
    }

    private static void assertReverted(String message, CallResult r) {
        assertEquals(Status.REVERTED, r.status(), r.toString());
        assertEquals(message, r.message());
    }

    @Test
    void sealedBidAuctionRevealsOnlyTheWinnerAndPriceAfterClose() {
        Deployed auction = new Deployed(ExampleContract.SEALED_BID_AUCTION, OWNER, new byte[0]);
        CallResult bid = auction.call(10, op(1, le64(500L)));
        assertEquals(Status.OK, bid.status(), bid.message());
        assertEquals(1, bid.events().size());
        assertFalse(bid.events().get(0).isPublic(), "a bid's event is for the contract key only");
        assertEquals(Status.OK, auction.call(11, op(1, le64(900L))).status());
        assertEquals(Status.OK, auction.call(12, op(1, le64(700L))).status());
        assertReverted("you have already bid", auction.call(11, op(1, le64(1000L))));
        assertReverted("a bid must be positive", auction.call(13, op(1, le64(0L))));

        // While open: no result, and nobody reads anyone's bid — only their own.
        assertReverted("the auction is still open", auction.query(OWNER, op(1)));
        assertReverted("the auction is still open", auction.query(11, op(1)));
        assertEquals(700, le64(auction.query(12, op(2)).output()));
        assertReverted("you have not bid", auction.query(OWNER, op(2)));
        assertArrayEquals(new byte[] {1, 3, 0, 0, 0}, auction.query(OWNER, op(3)).output());
        // The state holds every bid, but the contract exposes no way to read another's.
        assertReverted("only the owner can close", auction.call(10, op(2)));

        CallResult close = auction.call(OWNER, op(2));
        assertEquals(Status.OK, close.status(), close.message());
        byte[] event = close.events().get(0).data();
        assertTrue(close.events().get(0).isPublic());
        assertEquals("closed", new String(event, 0, 6, StandardCharsets.US_ASCII));
        assertArrayEquals(Contracts.account(11), Arrays.copyOfRange(event, 6, 38));
        assertEquals(900, le64(Arrays.copyOfRange(event, 38, 46)));

        byte[] result = auction.query(12, op(1)).output();
        assertArrayEquals(Contracts.account(11), Arrays.copyOfRange(result, 0, 32));
        assertEquals(900, le64(Arrays.copyOfRange(result, 32, 40)));
        assertReverted("the auction is closed", auction.call(13, op(1, le64(2000L))));
        assertReverted("the auction is closed", auction.call(OWNER, op(2)));
        assertArrayEquals(new byte[] {0, 3, 0, 0, 0}, auction.query(OWNER, op(3)).output());
        assertReverted("bad input", auction.query(OWNER, op(9)));
    }

    @Test
    void anAuctionWithoutBidsClosesWithoutAWinner() {
        Deployed auction = new Deployed(ExampleContract.SEALED_BID_AUCTION, OWNER, new byte[0]);
        CallResult close = auction.call(OWNER, op(2));
        assertArrayEquals("closed".getBytes(StandardCharsets.US_ASCII), close.events().get(0).data());
        assertReverted("no bids", auction.query(OWNER, op(1)));
    }

    @Test
    void privateVoteTalliesOnlyAfterClose() {
        Deployed vote = new Deployed(ExampleContract.PRIVATE_VOTE, OWNER, new byte[] {3});
        assertEquals(Status.OK, vote.call(10, op(1, new byte[] {2})).status());
        assertEquals(Status.OK, vote.call(11, op(1, new byte[] {0})).status());
        assertEquals(Status.OK, vote.call(12, op(1, new byte[] {2})).status());
        assertReverted("you have already voted", vote.call(12, op(1, new byte[] {1})));
        assertReverted("no such option", vote.call(13, op(1, new byte[] {3})));
        assertReverted("voting is still open", vote.query(OWNER, op(1)));
        assertArrayEquals(new byte[] {2}, vote.query(10, op(2)).output());
        assertReverted("you have not voted", vote.query(OWNER, op(2)));
        assertReverted("only the owner can close", vote.call(10, op(2)));
        CallResult close = vote.call(OWNER, op(2));
        assertEquals(Status.OK, close.status(), close.message());
        assertTrue(close.events().get(0).isPublic());
        assertReverted("voting is closed", vote.call(13, op(1, new byte[] {1})));
        ByteBuffer tallies = ByteBuffer.wrap(vote.query(13, op(1)).output()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(24, tallies.remaining());
        assertEquals(1, tallies.getLong());
        assertEquals(0, tallies.getLong());
        assertEquals(2, tallies.getLong());
        assertReverted("need 1 to 255 options", ENGINE.execute(ExampleContract.PRIVATE_VOTE.wasm(), Entry.INIT,
                new byte[] {0}, as(OWNER), new ContractStorage(), GAS));
    }

    @Test
    void hashLoopComputesSha256InWasmAndThroughTheHost() throws Exception {
        byte[] wasm = ExampleContract.HASH_LOOP.wasm();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int len : new int[] {0, 3, 55, 56, 63, 64, 65, 119, 120, 1000}) {
            byte[] data = new byte[len];
            for (int i = 0; i < len; i++) {
                data[i] = (byte) (i * 31 + 7);
            }
            byte[] expected = sha.digest(sha.digest(data));
            for (int op = 1; op <= 2; op++) {
                byte[] input = ByteBuffer.allocate(5 + len).order(ByteOrder.LITTLE_ENDIAN).put((byte) op).putInt(2)
                        .put(data).array();
                CallResult r = ENGINE.execute(wasm, Entry.QUERY, input, as(1), new ContractStorage(), GAS);
                assertEquals(Status.OK, r.status(), r.message());
                assertArrayEquals(expected, r.output(), "length " + len + ", op " + op);
            }
        }
    }
}
