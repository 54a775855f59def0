package cloister.worker.wasm;

import cloister.chain.wasm.HostAbi;
import static cloister.worker.wasm.Contracts.as;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import cloister.worker.wasm.CallResult.Status;
import cloister.worker.wasm.WasmEngine.Mode;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The metering rewrite keeps every program's meaning: a metered run gives the output an unmetered run gives. */
class GasInstrumenterTest {
    private static final WasmEngine INTERPRETER = Contracts.engine(Mode.INTERPRETER);
    private static final WasmEngine COMPILER = Contracts.engine(Mode.COMPILER);

    @AfterAll
    static void close() {
        INTERPRETER.close();
        COMPILER.close();
    }

    /** Exercises control flow, calls, tables, bulk memory, globals, a start function; returns a 32-byte digest. */
    private static final String PROGRAM = """
            (type $binop (func (param i32 i32) (result i32)))
            (table 4 funcref)
            (elem (i32.const 0) $add $mul $sub)
            (global $seed (mut i32) (i32.const 0))
            (global $acc (mut i64) (i64.const 1))
            (data $words "\\01\\02\\03\\04\\05\\06\\07\\08")
            (func $start (global.set $seed (i32.const 7)))
            (start $start)
            (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
            (func $mul (type $binop) (i32.mul (local.get 0) (local.get 1)))
            (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
            (func $pair (param i32) (result i32 i32) (local.get 0) (i32.mul (local.get 0) (i32.const 3)))
            (func $fib (param i32) (result i64)
              (if (result i64) (i32.lt_u (local.get 0) (i32.const 2))
                (then (i64.extend_i32_u (local.get 0)))
                (else (i64.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                               (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
            (func $classify (param i32) (result i32)
              (block $c (block $b (block $a (br_table $a $b $c (local.get 0))) (return (i32.const 10)))
                (return (i32.const 20)))
              (i32.const 30))
            (func (export "call") (local $i i32) (local $x i32) (local $y i64)
              (memory.fill (i32.const 100) (i32.const 0xAB) (i32.const 300))
              (memory.init $words (i32.const 400) (i32.const 0) (i32.const 8))
              (data.drop $words)
              (memory.copy (i32.const 500) (i32.const 396) (i32.const 16))
              (local.set $x (global.get $seed))
              (loop $l
                (local.set $x (call_indirect (type $binop) (local.get $x) (i32.add (local.get $i) (i32.const 3))
                                              (i32.rem_u (local.get $i) (i32.const 3))))
                (global.set $acc (i64.add (global.get $acc)
                  (i64.extend_i32_s (i32.extend8_s (local.get $x)))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $l (i32.lt_u (local.get $i) (i32.const 50))))
              (local.set $y (i64.div_s (i64.extend_i32_s (local.get $x)) (i64.const -7)))
              (i64.store (i32.const 0) (global.get $acc))
              (i64.store (i32.const 8) (call $fib (i32.const 15)))
              (i32.store (i32.const 16) (i32.add (call $pair (i32.const 5))))
              (i32.store (i32.const 20) (i32.add (call $classify (i32.const 1)) (call $classify (i32.const 9))))
              (i32.store (i32.const 24) (i32.wrap_i64 (i64.rotl (local.get $y) (i64.const 13))))
              (i32.store (i32.const 28) (i32.add (i32.load (i32.const 504)) (select (table.size) (i32.const 9)
                (ref.is_null (table.get (i32.const 3))))))
              (call $return_value (i32.const 0) (i32.const 32)))
            (func (export "query"))
            """;

    @Test
    void meteredRunsGiveTheUnmeteredOutputInBothModes() {
        byte[] wasm = Contracts.module(PROGRAM);
        byte[] plain = unmetered(wasm);
        CallResult a = INTERPRETER.execute(wasm, Entry.CALL, new byte[0], as(1), new ContractStorage(), 10_000_000);
        CallResult b = COMPILER.execute(wasm, Entry.CALL, new byte[0], as(1), new ContractStorage(), 10_000_000);
        assertEquals(Status.OK, a.status(), a.message());
        assertArrayEquals(plain, a.output());
        assertEquals(a, b);
        for (ExampleContract c : List.of(ExampleContract.HASH_LOOP)) {
            byte[] input = {1, 3, 0, 0, 0, 'a', 'b', 'c'};
            CallResult h = COMPILER.execute(c.wasm(), Entry.QUERY, input, as(1), new ContractStorage(), 10_000_000);
            assertEquals(h, INTERPRETER.execute(c.wasm(), Entry.QUERY, input, as(1), new ContractStorage(), 10_000_000));
        }
    }

    @Test
    void bulkMemoryPaysPerByteAndGrowPerPage() {
        long base = gas("");
        // memory.fill: 3 constants, the instruction (bulk 10), and ceil(n / 8) for n bytes.
        assertEquals(3 + 10 + 1, gas("(memory.fill (i32.const 0) (i32.const 0) (i32.const 1))") - base);
        assertEquals(3 + 10 + 125, gas("(memory.fill (i32.const 0) (i32.const 0) (i32.const 1000))") - base);
        assertEquals(3 + 10 + 8192, gas("(memory.fill (i32.const 0) (i32.const 0) (i32.const 65536))") - base);
        // memory.grow: a constant, drop, the instruction (100), and 1024 per page asked for, granted or not.
        assertEquals(2 + 100 + 2 * 1024, gas("(drop (memory.grow (i32.const 2)))") - base);
        assertEquals(2 + 100 + 100_000L * 1024, gas("(drop (memory.grow (i32.const 100000)))") - base);
    }

    private static long gas(String body) {
        CallResult r = COMPILER.execute(Contracts.callOnly(body), Entry.CALL, new byte[0], as(1), new ContractStorage(),
                1L << 40);
        assertEquals(Status.OK, r.status(), r.message());
        return r.gasUsed();
    }

    /** Runs the module's call with plain Chicory, no metering; returns what it passed to return_value. */
    private static byte[] unmetered(byte[] wasm) {
        byte[][] output = {null};
        ImportValues.Builder imports = ImportValues.builder();
        for (HostAbi.Import i : HostAbi.Import.values()) {
            FunctionType type = FunctionType.of(
                    i.params().stream().map(t -> t == HostAbi.ValueType.I32 ? ValType.I32 : ValType.I64).toList(),
                    i.results().stream().map(t -> t == HostAbi.ValueType.I32 ? ValType.I32 : ValType.I64).toList());
            imports.addFunction(new HostFunction(HostAbi.MODULE, i.importName(), type, (instance, args) -> {
                if (i != HostAbi.Import.RETURN_VALUE) {
                    throw new IllegalStateException("unexpected " + i);
                }
                output[0] = instance.memory().readBytes((int) args[0], (int) args[1]);
                return null;
            }));
        }
        Instance instance = Instance.builder(Parser.parse(wasm)).withImportValues(imports.build()).build();
        instance.export("call").apply();
        return output[0];
    }
}
