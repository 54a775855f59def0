package cloister.worker.wasm;

import static cloister.worker.wasm.Contracts.as;
import static cloister.worker.wasm.Contracts.le64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hash;
import cloister.worker.wasm.CallResult.Status;
import cloister.worker.wasm.WasmEngine.Mode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The engine: the counter's semantics, and every way a call can fail, in both execution modes. */
class WasmEngineTest {
    private static final long GAS = 1_000_000;
    private static final WasmEngine INTERPRETER = Contracts.engine(Mode.INTERPRETER);
    private static final WasmEngine COMPILER = Contracts.engine(Mode.COMPILER);

    /** Sets "k" to "v", then runs {@code then}. */
    private static final String WRITE_THEN = "(data (i32.const 0) \"kv\")"
            + "(func $write (call $storage_set (i32.const 0) (i32.const 1) (i32.const 1) (i32.const 1)))";

    @AfterAll
    static void close() {
        INTERPRETER.close();
        COMPILER.close();
    }

    private static WasmEngine engine(Mode mode) {
        return mode == Mode.INTERPRETER ? INTERPRETER : COMPILER;
    }

    private static CallResult run(Mode mode, byte[] wasm, Entry entry, byte[] input, ContractStorage storage, long gas) {
        return engine(mode).execute(wasm, entry, input, as(1), storage, gas);
    }

    private static ContractStorage withOneKey() {
        ContractStorage s = new ContractStorage();
        s.put("k".getBytes(StandardCharsets.US_ASCII), "old".getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void counterCountsAndRevertsBadInput(Mode mode) {
        byte[] wasm = ExampleContract.COUNTER.wasm();
        ContractStorage state = new ContractStorage();
        CallResult init = run(mode, wasm, Entry.INIT, new byte[0], state, GAS);
        assertEquals(Status.OK, init.status(), init.message());
        state.apply(init.writes());
        for (int i = 1; i <= 3; i++) {
            CallResult r = run(mode, wasm, Entry.CALL, new byte[0], state, GAS);
            assertEquals(Status.OK, r.status(), r.message());
            assertEquals(i, le64(r.output()));
            assertEquals(List.of(new ContractEvent(le64((long) i), true)), r.events());
            assertEquals(List.of(StorageWrite.put("count".getBytes(StandardCharsets.US_ASCII), le64((long) i))), r.writes());
            state.apply(r.writes());
        }
        CallResult add = run(mode, wasm, Entry.CALL, le64(-10L), state, GAS);
        state.apply(add.writes());
        CallResult query = run(mode, wasm, Entry.QUERY, new byte[0], state, GAS);
        assertEquals(Status.OK, query.status());
        assertEquals(-7, le64(query.output()));
        assertTrue(query.writes().isEmpty() && query.events().isEmpty());

        Hash before = state.stateHash();
        CallResult bad = run(mode, wasm, Entry.CALL, new byte[3], state, GAS);
        assertEquals(Status.REVERTED, bad.status());
        assertEquals("bad input", bad.message());
        assertTrue(bad.writes().isEmpty() && bad.events().isEmpty() && bad.output().length == 0);
        assertTrue(bad.gasUsed() > 0 && bad.gasUsed() < GAS);

        ContractStorage max = new ContractStorage();
        max.apply(run(mode, wasm, Entry.INIT, le64(Long.MAX_VALUE), max, GAS).writes());
        CallResult overflow = run(mode, wasm, Entry.CALL, new byte[0], max, GAS);
        assertEquals(Status.REVERTED, overflow.status());
        assertEquals("overflow", overflow.message());
        assertEquals(before, state.stateHash());
    }

    @Test
    void infiniteLoopRunsOutOfGasAtTheSamePointEverywhere() {
        byte[] wasm = Contracts.module(WRITE_THEN
                + "(func (export \"call\") (local i64) (call $write)"
                + "  (loop $l (local.set 0 (i64.add (local.get 0) (i64.const 1))) (br $l)))"
                + "(func (export \"query\"))");
        ContractStorage state = withOneKey();
        Hash before = state.stateHash();
        WasmEngine other = Contracts.engine(Mode.INTERPRETER);
        try (other) {
            List<CallResult> results = List.of(
                    run(Mode.INTERPRETER, wasm, Entry.CALL, new byte[0], state, 200_000),
                    run(Mode.INTERPRETER, wasm, Entry.CALL, new byte[0], state, 200_000),
                    other.execute(wasm, Entry.CALL, new byte[0], as(1), state, 200_000),
                    run(Mode.COMPILER, wasm, Entry.CALL, new byte[0], state, 200_000),
                    run(Mode.COMPILER, wasm, Entry.CALL, new byte[0], state, 200_000));
            for (CallResult r : results) {
                assertEquals(results.get(0), r);
                assertEquals(Status.OUT_OF_GAS, r.status());
                assertEquals(200_000, r.gasUsed());
                assertTrue(r.writes().isEmpty());
            }
        }
        assertEquals(before, state.stateHash());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void gasFollowsThePublishedTable(Mode mode) {
        // call: entry (500) + 1 initial page (1024); its body is one segment: i32.const, i32.const, i32.add, drop, end = 4.
        byte[] wasm = Contracts.callOnly("(drop (i32.add (i32.const 1) (i32.const 2)))");
        assertEquals(500 + 1024 + 4, run(mode, wasm, Entry.CALL, new byte[0], new ContractStorage(), GAS).gasUsed());
        // A loop of 10 iterations: per iteration local.get, i32.const, i32.add, local.tee, i32.const, i32.lt_u, br_if = 7;
        // before it: nothing priced (loop is free); after it: end, end = 0.
        byte[] loop = Contracts.callOnly("(local i32) (loop $l (br_if $l (i32.lt_u (local.tee 0 (i32.add (local.get 0)"
                + " (i32.const 1))) (i32.const 10))))");
        assertEquals(500 + 1024 + 70, run(mode, loop, Entry.CALL, new byte[0], new ContractStorage(), GAS).gasUsed());
        // A host call: i32.const, call (10) + host call (50) + 32 bytes copied (4).
        byte[] caller = Contracts.callOnly("(call $caller (i32.const 0))");
        assertEquals(500 + 1024 + 1 + 10 + 50 + 4, run(mode, caller, Entry.CALL, new byte[0], new ContractStorage(), GAS).gasUsed());
        // Not enough gas for the entry: nothing runs.
        CallResult poor = run(mode, wasm, Entry.CALL, new byte[0], new ContractStorage(), 1000);
        assertEquals(Status.OUT_OF_GAS, poor.status());
        assertEquals(1000, poor.gasUsed());
        // Exactly enough, and one short.
        assertEquals(Status.OK, run(mode, wasm, Entry.CALL, new byte[0], new ContractStorage(), 1528).status());
        assertEquals(Status.OUT_OF_GAS, run(mode, wasm, Entry.CALL, new byte[0], new ContractStorage(), 1527).status());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void memoryBombStopsAtThePageCap(Mode mode) {
        byte[] wasm = Contracts.module(WRITE_THEN
                + "(func (export \"call\") (call $write)"
                + "  (loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) unreachable)"
                + "(func (export \"query\") (local i32) (local.set 0 (memory.grow (i32.const 1000)))"
                + "  (i32.store (i32.const 0) (local.get 0)) (i32.store (i32.const 4) (memory.size))"
                + "  (call $return_value (i32.const 0) (i32.const 8)))");
        try (WasmEngine small = new WasmEngine(WasmEngine.Config.defaults().withMode(mode).withMaxPages(16))) {
            ContractStorage state = withOneKey();
            Hash before = state.stateHash();
            CallResult bomb = small.execute(wasm, Entry.CALL, new byte[0], as(1), state, 10_000_000);
            assertEquals(Status.MEMORY_LIMIT, bomb.status(), bomb.message());
            assertTrue(bomb.message().contains("16 pages"), bomb.message());
            // 15 successful grows and one refused one, each 100 + 1024 per page.
            assertEquals(bomb, small.execute(wasm, Entry.CALL, new byte[0], as(1), state, 10_000_000));
            assertEquals(before, state.stateHash());
            // A contract that checks memory.grow's -1 carries on.
            CallResult careful = small.execute(wasm, Entry.QUERY, new byte[0], as(1), state, 10_000_000);
            assertEquals(Status.OK, careful.status(), careful.message());
            assertEquals(-1, java.nio.ByteBuffer.wrap(careful.output()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0));
            assertEquals(1, java.nio.ByteBuffer.wrap(careful.output()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(4));
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void trapsDiscardTheCallsWritesAndReportTheTrap(Mode mode) {
        ContractStorage state = withOneKey();
        Hash before = state.stateHash();
        byte[] div = Contracts.module(WRITE_THEN + "(func (export \"call\") (call $write)"
                + "  (drop (i32.div_s (i32.const 1) (call $input_len))))(func (export \"query\"))");
        CallResult r = run(mode, div, Entry.CALL, new byte[0], state, GAS);
        assertEquals(Status.TRAP, r.status());
        assertTrue(r.message().contains("divide by zero"), r.message());
        assertTrue(r.writes().isEmpty());
        assertEquals(Status.OK, run(mode, div, Entry.CALL, new byte[1], state, GAS).status());

        byte[] unreachable = Contracts.module(WRITE_THEN + "(func (export \"call\") (call $write) unreachable)"
                + "(func (export \"query\"))");
        CallResult u = run(mode, unreachable, Entry.CALL, new byte[0], state, GAS);
        assertEquals(Status.TRAP, u.status());
        assertTrue(u.message().contains("unreachable"), u.message());
        assertTrue(u.gasUsed() < GAS);

        byte[] outOfBounds = Contracts.module(WRITE_THEN + "(func (export \"call\") (call $write)"
                + "  (drop (i32.load (i32.const 65535))))(func (export \"query\"))");
        assertEquals(Status.TRAP, run(mode, outOfBounds, Entry.CALL, new byte[0], state, GAS).status());

        byte[] badPointer = Contracts.callOnly("(call $caller (i32.const 65530))");
        CallResult p = run(mode, badPointer, Entry.CALL, new byte[0], state, GAS);
        assertEquals(Status.TRAP, p.status());
        assertTrue(p.message().contains("cloister.caller: out of bounds"), p.message());
        assertEquals(before, state.stateHash());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void revertDiscardsEverythingAndReportsTheMessage(Mode mode) {
        byte[] wasm = Contracts.module(WRITE_THEN + "(data (i32.const 16) \"not today\")"
                + "(func (export \"call\") (call $write) (call $emit_event (i32.const 0) (i32.const 2) (i32.const 1))"
                + "  (drop (call $transfer (i32.const 100) (i64.const 5)))"
                + "  (call $return_value (i32.const 0) (i32.const 2))"
                + "  (call $revert (i32.const 16) (i32.const 9)))"
                + "(func (export \"query\"))");
        ContractStorage state = withOneKey();
        Hash before = state.stateHash();
        CallResult r = run(mode, wasm, Entry.CALL, new byte[0], state, GAS);
        assertEquals(Status.REVERTED, r.status());
        assertEquals("not today", r.message());
        assertTrue(r.writes().isEmpty() && r.events().isEmpty() && r.transfers().isEmpty() && r.output().length == 0);
        assertEquals(before, state.stateHash());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void queriesCannotWriteEmitOrTransfer(Mode mode) {
        String[] attempts = {
            "(call $storage_set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))",
            "(call $storage_remove (i32.const 0) (i32.const 1))",
            "(call $emit_event (i32.const 0) (i32.const 1) (i32.const 1))",
            "(drop (call $transfer (i32.const 0) (i64.const 1)))"};
        String[] names = {"storage_set", "storage_remove", "emit_event", "transfer"};
        for (int i = 0; i < attempts.length; i++) {
            byte[] wasm = Contracts.module("(func (export \"call\")) (func (export \"query\") " + attempts[i] + ")");
            CallResult r = run(mode, wasm, Entry.QUERY, new byte[0], withOneKey(), GAS);
            assertEquals(Status.TRAP, r.status());
            assertEquals("cloister." + names[i] + ": not allowed in a query (queries are read-only)", r.message());
            // The same code as a command is fine.
            byte[] asCall = Contracts.module("(func (export \"call\") " + attempts[i] + ") (func (export \"query\"))");
            assertEquals(Status.OK, run(mode, asCall, Entry.CALL, new byte[0], withOneKey(), GAS).status());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aQueryThatLoopsEndsAtItsWallTimeCap(Mode mode) {
        byte[] wasm = Contracts.module("(func (export \"call\")) (func (export \"query\") (loop $l (br_if $l (i32.const 1))))");
        try (WasmEngine e = new WasmEngine(WasmEngine.Config.defaults().withMode(mode).withQueryTimeout(Duration.ofMillis(200)))) {
            long start = System.nanoTime();
            CallResult r = e.execute(wasm, Entry.QUERY, new byte[0], as(1), new ContractStorage(), Long.MAX_VALUE);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Status.TIMEOUT, r.status(), r.message());
            assertTrue(ms < 5_000, "took " + ms + " ms");
            assertTrue(r.gasUsed() > 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void unboundedRecursionEndsAtTheSameDepthEverywhere(Mode mode) {
        byte[] small = Contracts.module(WRITE_THEN + "(func $r (param i32) (call $r (i32.add (local.get 0) (i32.const 1))))"
                + "(func (export \"call\") (call $write) (call $r (i32.const 0))) (func (export \"query\"))");
        // Big frames: 4,000 locals each.
        byte[] big = Contracts.module("(func $r (local " + "i64 ".repeat(4000) + ") (call $r))"
                + "(func (export \"call\") (call $r)) (func (export \"query\"))");
        for (byte[] wasm : List.of(small, big)) {
            CallResult r = run(mode, wasm, Entry.CALL, new byte[0], withOneKey(), 100_000_000);
            assertEquals(Status.TRAP, r.status(), r.message());
            assertTrue(r.message().contains("call stack exhausted"), r.message());
            assertTrue(r.message().contains("frame units"), r.message()); // the metered limit, not the JVM's stack
            Mode other = mode == Mode.INTERPRETER ? Mode.COMPILER : Mode.INTERPRETER;
            assertEquals(r, run(other, wasm, Entry.CALL, new byte[0], withOneKey(), 100_000_000));
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void hostFunctionsSeeTheCallAndTheBlock(Mode mode) {
        // Output: caller ‖ contract id ‖ height ‖ time ‖ sha256(input) ‖ input; events, a transfer, a removal.
        byte[] wasm = Contracts.module("(data (i32.const 300) \"k\")"
                + "(func (export \"call\") (local $n i32)"
                + "  (call $caller (i32.const 0)) (call $contract_id (i32.const 32))"
                + "  (i64.store (i32.const 64) (call $block_height)) (i64.store (i32.const 72) (call $block_time))"
                + "  (local.set $n (call $input_len)) (call $input_read (i32.const 112))"
                + "  (call $sha256 (i32.const 112) (local.get $n) (i32.const 80))"
                + "  (call $emit_event (i32.const 112) (local.get $n) (i32.const 0))"
                + "  (call $emit_event (i32.const 0) (i32.const 0) (i32.const 1))"
                + "  (if (call $transfer (i32.const 32) (i64.const 0)) (then) (else unreachable))"
                + "  (drop (call $transfer (i32.const 32) (i64.const 42)))"
                + "  (call $storage_remove (i32.const 300) (i32.const 1))"
                + "  (call $return_value (i32.const 0) (i32.add (i32.const 112) (local.get $n))))"
                + "(func (export \"query\"))");
        byte[] input = "hello".getBytes(StandardCharsets.US_ASCII);
        CallContext ctx = new CallContext(Contracts.account(9), Contracts.CONTRACT, 123, 456_789);
        CallResult r = engine(mode).execute(wasm, Entry.CALL, input, ctx, withOneKey(), GAS);
        assertEquals(Status.OK, r.status(), r.message());
        byte[] out = r.output();
        assertArrayEquals(Contracts.account(9), java.util.Arrays.copyOfRange(out, 0, 32));
        assertArrayEquals(Contracts.CONTRACT, java.util.Arrays.copyOfRange(out, 32, 64));
        assertEquals(123, le64(java.util.Arrays.copyOfRange(out, 64, 72)));
        assertEquals(456_789, le64(java.util.Arrays.copyOfRange(out, 72, 80)));
        assertArrayEquals(sha256(input), java.util.Arrays.copyOfRange(out, 80, 112));
        assertArrayEquals(input, java.util.Arrays.copyOfRange(out, 112, 117));
        assertEquals(List.of(new ContractEvent(input, false), new ContractEvent(new byte[0], true)), r.events());
        assertEquals(List.of(new TransferRequest(Contracts.CONTRACT, 42)), r.transfers());
        assertEquals(List.of(StorageWrite.remove("k".getBytes(StandardCharsets.US_ASCII))), r.writes());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void abiLimitsAndMisuseTrap(Mode mode) {
        String[] bodies = {
            "(call $storage_set (i32.const 0) (i32.const 257) (i32.const 0) (i32.const 1))",
            "(call $storage_set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 65537))",
            "(drop (call $storage_get (i32.const 0) (i32.const 257) (i32.const 0) (i32.const 0)))",
            "(call $return_value (i32.const 0) (i32.const 1)) (call $return_value (i32.const 0) (i32.const 1))",
            "(call $emit_event (i32.const 0) (i32.const 1) (i32.const 2))",
            "(call $sha256 (i32.const 0) (i32.const -1) (i32.const 0))"};
        String[] messages = {"key of 257 bytes", "value of 65537 bytes", "key of 257 bytes", "called twice",
            "public is 0 or 1", "out of bounds"};
        for (int i = 0; i < bodies.length; i++) {
            CallResult r = run(mode, Contracts.callOnly(bodies[i]), Entry.CALL, new byte[0], new ContractStorage(), 1L << 40);
            assertEquals(Status.TRAP, r.status(), bodies[i]);
            assertTrue(r.message().contains(messages[i]), r.message());
        }
        // Paying for the bytes first: hashing 4 GiB is out of gas with an ordinary limit.
        CallResult big = run(mode, Contracts.callOnly(bodies[5]), Entry.CALL, new byte[0], new ContractStorage(), GAS);
        assertEquals(Status.OUT_OF_GAS, big.status());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void storageReadsSeeTheCallsOwnWrites(Mode mode) {
        // set k=v, read it back (len 1), remove it, read again (-1): output is the two lengths.
        byte[] wasm = Contracts.module("(data (i32.const 0) \"kv\")"
                + "(func (export \"call\")"
                + "  (i32.store (i32.const 8) (call $storage_get (i32.const 0) (i32.const 1) (i32.const 20) (i32.const 8)))"
                + "  (call $storage_set (i32.const 0) (i32.const 1) (i32.const 1) (i32.const 1))"
                + "  (i32.store (i32.const 12) (call $storage_get (i32.const 0) (i32.const 1) (i32.const 20) (i32.const 0)))"
                + "  (call $storage_remove (i32.const 0) (i32.const 1))"
                + "  (i32.store (i32.const 16) (call $storage_get (i32.const 0) (i32.const 1) (i32.const 20) (i32.const 8)))"
                + "  (call $return_value (i32.const 8) (i32.const 12)))"
                + "(func (export \"query\"))");
        CallResult r = run(mode, wasm, Entry.CALL, new byte[0], withOneKey(), GAS);
        assertEquals(Status.OK, r.status(), r.message());
        var out = java.nio.ByteBuffer.wrap(r.output()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(3, out.getInt(0)); // "old" from the snapshot (copied: cap 8)
        assertEquals(1, out.getInt(4)); // "v", cap 0: length only
        assertEquals(-1, out.getInt(8));
        assertEquals(List.of(StorageWrite.remove("k".getBytes(StandardCharsets.US_ASCII))), r.writes());
    }

    @Test
    void initIsOptionalAndInvalidModulesDoNotRun() {
        byte[] noInit = Contracts.callOnly("");
        CallResult r = COMPILER.execute(noInit, Entry.INIT, new byte[0], as(1), new ContractStorage(), GAS);
        assertEquals(Status.OK, r.status());
        assertEquals(0, r.gasUsed());
        CallResult invalid = COMPILER.execute(new byte[] {1, 2, 3}, Entry.CALL, new byte[0], as(1), new ContractStorage(), GAS);
        assertEquals(Status.INVALID_MODULE, invalid.status());
        assertTrue(invalid.message().startsWith("MALFORMED_WASM"), invalid.message());
        assertEquals(0, invalid.gasUsed());
    }

    @Test
    void stateHashIsSha256OverTheSortedLengthPrefixedEntries() throws Exception {
        ContractStorage s = new ContractStorage();
        assertEquals(Hash.wrap(sha256(new byte[0])), s.stateHash());
        s.put(new byte[] {(byte) 0x80}, new byte[] {1});
        s.put(new byte[] {0x01}, new byte[] {2, 3});
        // 0x01 sorts before 0x80 (unsigned).
        byte[] encoded = {0, 0, 0, 1, 0x01, 0, 0, 0, 2, 2, 3, 0, 0, 0, 1, (byte) 0x80, 0, 0, 0, 1, 1};
        assertEquals(Hash.wrap(sha256(encoded)), s.stateHash());
        ContractStorage t = new ContractStorage();
        t.put(new byte[] {0x01}, new byte[] {2, 3});
        t.put(new byte[] {(byte) 0x80}, new byte[] {1});
        assertEquals(s, t);
        assertEquals(s.stateHash(), t.stateHash());
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
