package cloister.worker.wasm;

import static cloister.worker.wasm.Contracts.as;
import static cloister.worker.wasm.Contracts.le64;
import static cloister.worker.wasm.Contracts.op;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.worker.wasm.WasmEngine.Mode;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Two workers of a cluster — here one engine interpreting and one compiling — apply the same random command
 * sequences and must agree on every call's result (status, gas, output, events, writes) and on the state hash after
 * each command, including calls that revert, trap or run out of gas.
 */
class DeterminismTest {
    private static final WasmEngine A = Contracts.engine(Mode.INTERPRETER);
    private static final WasmEngine B = Contracts.engine(Mode.COMPILER);

    @AfterAll
    static void close() {
        A.close();
        B.close();
    }

    private static final Set<CallResult.Status> SEEN = EnumSet.noneOf(CallResult.Status.class);

    @Test
    void randomCallSequencesGiveIdenticalResultsAndStateHashes() {
        Random random = new Random(20_261_121);
        for (int run = 0; run < 4; run++) {
            for (ExampleContract contract : new ExampleContract[] {ExampleContract.COUNTER,
                    ExampleContract.SEALED_BID_AUCTION, ExampleContract.PRIVATE_VOTE}) {
                replay(contract, random);
            }
        }
        assertTrue(SEEN.containsAll(EnumSet.of(CallResult.Status.OK, CallResult.Status.REVERTED,
                CallResult.Status.OUT_OF_GAS)), SEEN.toString());
    }

    private static void replay(ExampleContract contract, Random random) {
        byte[] wasm = contract.wasm();
        ContractStorage a = new ContractStorage();
        ContractStorage b = new ContractStorage();
        byte[] init = contract == ExampleContract.PRIVATE_VOTE ? new byte[] {(byte) (1 + random.nextInt(4))} : new byte[0];
        step(wasm, Entry.INIT, init, 1, a, b, 1_000_000);
        for (int i = 0; i < 40; i++) {
            int sender = 1 + random.nextInt(5);
            Entry entry = random.nextInt(4) == 0 ? Entry.QUERY : Entry.CALL;
            // Now and then a gas limit too small to finish, so that out-of-gas points are compared too.
            long gas = random.nextInt(8) == 0 ? 1_600 + random.nextInt(2_000) : 1_000_000;
            step(wasm, entry, input(contract, entry, random), sender, a, b, gas);
        }
    }

    private static byte[] input(ExampleContract contract, Entry entry, Random random) {
        return switch (contract) {
            case COUNTER -> random.nextInt(5) == 0 ? new byte[random.nextInt(10)] : le64((long) random.nextInt(100) - 50);
            case SEALED_BID_AUCTION, PRIVATE_VOTE -> {
                int op = 1 + random.nextInt(entry == Entry.QUERY ? 3 : 2);
                if (entry == Entry.CALL && op == 2 && random.nextInt(4) != 0) {
                    op = 1; // close rarely
                }
                if (entry == Entry.QUERY || op == 2) {
                    yield op(op);
                }
                yield contract == ExampleContract.PRIVATE_VOTE ? op(1, new byte[] {(byte) random.nextInt(5)})
                        : op(1, le64((long) random.nextInt(1000) - 10));
            }
            case HASH_LOOP -> throw new IllegalArgumentException();
        };
    }

    private static void step(byte[] wasm, Entry entry, byte[] input, int sender, ContractStorage a, ContractStorage b,
            long gas) {
        CallResult ra = A.execute(wasm, entry, input, as(sender), a, gas);
        CallResult rb = B.execute(wasm, entry, input, as(sender), b, gas);
        assertEquals(ra, rb, entry + " " + java.util.HexFormat.of().formatHex(input));
        assertEquals(ra.gasUsed(), rb.gasUsed());
        SEEN.add(ra.status());
        if (ra.ok() && entry != Entry.QUERY) {
            a.apply(ra.writes());
            b.apply(rb.writes());
        }
        assertEquals(a.stateHash(), b.stateHash());
    }
}
