package cloister.worker.wasm;

import cloister.chain.wasm.WasmModuleCheck;
import cloister.chain.wasm.WasmRefusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.ValidationResult;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** What the chain and the workers refuse to deploy or run, and why. */
class WasmModuleCheckTest {
    private static final String EXPORTS = "(func (export \"call\")) (func (export \"query\"))";

    private static ValidationResult<WasmRefusal> check(byte[] wasm) {
        return WasmModuleCheck.check(wasm, WasmModuleCheck.DEFAULT_MAX_BYTES);
    }

    private static void assertRefused(WasmRefusal reason, String messagePart, byte[] wasm) {
        ValidationResult<WasmRefusal> r = check(wasm);
        assertTrue(!r.isValid(), "expected a refusal");
        assertEquals(reason, r.reason(), r.message());
        assertTrue(r.message().contains(messagePart), r.message());
    }

    @Test
    void theExampleContractsAreValid() {
        for (ExampleContract c : ExampleContract.values()) {
            assertTrue(check(c.wasm()).isValid(), c + ": " + check(c.wasm()));
        }
    }

    @Test
    void malformedBytesAreRefused() {
        assertRefused(WasmRefusal.MALFORMED_WASM, "", new byte[0]);
        assertRefused(WasmRefusal.MALFORMED_WASM, "", "not wasm at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        byte[] counter = ExampleContract.COUNTER.wasm();
        assertRefused(WasmRefusal.MALFORMED_WASM, "", Arrays.copyOf(counter, counter.length - 3));
        // Valid binary structure, invalid code: i32.add on an empty stack.
        byte[] badBody = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7F, 3, 2, 1, 0, 10, 5, 1, 3, 0, 0x6A, 0x0B};
        assertRefused(WasmRefusal.MALFORMED_WASM, "type mismatch", badBody);
    }

    @Test
    void unknownImportsAreRefusedByName() {
        assertRefused(WasmRefusal.UNKNOWN_IMPORT, "cloister.launch_missiles", Contracts.wat(
                "(module (import \"cloister\" \"launch_missiles\" (func)) (memory (export \"memory\") 1) " + EXPORTS + ")"));
        assertRefused(WasmRefusal.UNKNOWN_IMPORT, "wasi_snapshot_preview1.fd_write", Contracts.wat(
                "(module (import \"wasi_snapshot_preview1\" \"fd_write\" (func (param i32 i32 i32 i32) (result i32)))"
                        + " (memory (export \"memory\") 1) " + EXPORTS + ")"));
        assertRefused(WasmRefusal.UNKNOWN_IMPORT, "env.memory", Contracts.wat(
                "(module (import \"env\" \"memory\" (memory 1)) (export \"memory\" (memory 0)) " + EXPORTS + ")"));
        // The right name with the wrong signature.
        assertRefused(WasmRefusal.UNKNOWN_IMPORT, "cloister.block_height", Contracts.wat(
                "(module (import \"cloister\" \"block_height\" (func (result i32))) (memory (export \"memory\") 1) "
                        + EXPORTS + ")"));
    }

    @Test
    void modulesOverTheSizeLimitAreRefused() {
        byte[] counter = ExampleContract.COUNTER.wasm();
        ValidationResult<WasmRefusal> r = WasmModuleCheck.check(counter, counter.length - 1);
        assertEquals(WasmRefusal.TOO_LARGE, r.reason());
        assertTrue(WasmModuleCheck.check(counter, counter.length).isValid());
        // Checked before parsing: a huge blob is refused for its size, not parsed.
        assertEquals(WasmRefusal.TOO_LARGE, check(new byte[WasmModuleCheck.DEFAULT_MAX_BYTES + 1]).reason());
    }

    @Test
    void missingOrMistypedExportsAreRefused() {
        assertRefused(WasmRefusal.MISSING_EXPORT, "\"call\"", Contracts.wat(
                "(module (memory (export \"memory\") 1) (func (export \"query\")))"));
        assertRefused(WasmRefusal.MISSING_EXPORT, "\"query\"", Contracts.wat(
                "(module (memory (export \"memory\") 1) (func (export \"call\")))"));
        assertRefused(WasmRefusal.MISSING_EXPORT, "memory", Contracts.wat("(module (memory 1) " + EXPORTS + ")"));
        assertRefused(WasmRefusal.MISSING_EXPORT, "memory", Contracts.wat("(module " + EXPORTS + ")"));
        assertRefused(WasmRefusal.MISSING_EXPORT, "\"call\" must be", Contracts.wat(
                "(module (memory (export \"memory\") 1) (func (export \"call\") (param i32)) (func (export \"query\")))"));
        assertRefused(WasmRefusal.MISSING_EXPORT, "\"init\" must be", Contracts.wat(
                "(module (memory (export \"memory\") 1) (func (export \"init\") (result i32) i32.const 0) " + EXPORTS + ")"));
    }

    @Test
    void memoryDeclaredAboveTheCapIsRefused() {
        byte[] big = Contracts.wat("(module (memory (export \"memory\") 300) " + EXPORTS + ")");
        assertRefused(WasmRefusal.TOO_MANY_PAGES, "300 pages", big);
        assertTrue(WasmModuleCheck.check(big, WasmModuleCheck.DEFAULT_MAX_BYTES, 300).isValid());
        // A declared maximum above the cap is fine: growth stops at the cap at run time.
        assertTrue(check(Contracts.wat("(module (memory (export \"memory\") 1 65536) " + EXPORTS + ")")).isValid());
    }

    @Test
    void featuresTheMeteringDoesNotCoverAreRefused() {
        String floats = "floating point";
        assertRefused(WasmRefusal.UNSUPPORTED_FEATURE, floats, Contracts.wat("(module (memory (export \"memory\") 1) "
                + "(func (export \"call\") (drop (f64.add (f64.const 1) (f64.const 2)))) (func (export \"query\")))"));
        assertRefused(WasmRefusal.UNSUPPORTED_FEATURE, floats, Contracts.wat("(module (memory (export \"memory\") 1) "
                + "(func (export \"call\") (local f32)) (func (export \"query\")))"));
        assertRefused(WasmRefusal.UNSUPPORTED_FEATURE, floats, Contracts.wat("(module (memory (export \"memory\") 1) "
                + "(global f64 (f64.const 0)) " + EXPORTS + ")"));
        assertRefused(WasmRefusal.UNSUPPORTED_FEATURE, floats, Contracts.wat("(module (memory (export \"memory\") 1) "
                + "(func (param f32)) " + EXPORTS + ")"));
        assertRefused(WasmRefusal.UNSUPPORTED_FEATURE, floats, Contracts.wat("(module (memory (export \"memory\") 1) "
                + "(func (export \"call\") (drop (i32.reinterpret_f32 (f32.load (i32.const 0))))) (func (export \"query\")))"));
        assertRefused(WasmRefusal.UNSUPPORTED_FEATURE, "SIMD", Contracts.wat("(module (memory (export \"memory\") 1) "
                + "(func (export \"call\") (drop (v128.const i64x2 0 0))) (func (export \"query\")))"));
    }

    @Test
    void mutatedModulesAreRefusedOrRunTheSameInBothModes() {
        java.util.Random random = new java.util.Random(4);
        int ran = 0;
        try (WasmEngine interpreter = Contracts.engine(WasmEngine.Mode.INTERPRETER);
                WasmEngine compiler = Contracts.engine(WasmEngine.Mode.COMPILER)) {
            for (ExampleContract c : ExampleContract.values()) {
                byte[] original = c.wasm();
                for (int i = 0; i < 300; i++) {
                    byte[] mutated = original.clone();
                    for (int m = 1 + random.nextInt(3); m > 0; m--) {
                        mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
                    }
                    ValidationResult<WasmRefusal> r = check(mutated);
                    assertEquals(r.toString(), check(mutated).toString()); // deterministic
                    CallResult a = interpreter.execute(mutated, Entry.QUERY, new byte[] {3}, Contracts.as(1),
                            new ContractStorage(), 200_000);
                    assertEquals(r.isValid(), a.status() != CallResult.Status.INVALID_MODULE, a.toString());
                    if (r.isValid()) {
                        ran++;
                        assertEquals(a, compiler.execute(mutated, Entry.QUERY, new byte[] {3}, Contracts.as(1),
                                new ContractStorage(), 200_000));
                    }
                }
            }
        }
        assertTrue(ran > 20, "only " + ran + " mutants were valid");
    }
}
