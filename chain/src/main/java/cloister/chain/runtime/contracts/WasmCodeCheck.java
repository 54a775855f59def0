package cloister.chain.runtime.contracts;

import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks uploaded code before the chain stores it: valid WebAssembly (Chicory's parser with validation), at most
 * {@code maxBytes}, imports only {@link ContractAbi} functions with their exact signatures, exports {@code memory}
 * and an entry point, declares at most {@link ContractAbi#MAX_INITIAL_PAGES} initial pages. A pure function of the
 * bytes: every node reaches the same verdict.
 */
public final class WasmCodeCheck {
    private WasmCodeCheck() {}

    /** Null if the code is acceptable, else why not (one line, for {@code INVALID_CODE}). */
    public static String problem(byte[] code, int maxBytes) {
        if (code.length > maxBytes) {
            return "TOO_LARGE: " + code.length + " bytes, the limit is " + maxBytes;
        }
        WasmModule module;
        try {
            module = Parser.builder().withValidation(true).build().parse(() -> new java.io.ByteArrayInputStream(code));
        } catch (RuntimeException e) {
            // Any failure of the parser on untrusted bytes (ChicoryException, buffer underflows, …) means "not valid Wasm".
            if (!(e instanceof ChicoryException) && e.getMessage() == null) {
                return "MALFORMED_WASM: not WebAssembly (" + e.getClass().getSimpleName() + ")";
            }
            return "MALFORMED_WASM: " + oneLine(e.getMessage());
        }
        List<Import> imports = module.importSection().stream().toList();
        for (Import imp : imports) {
            if (!(imp instanceof FunctionImport fi)) {
                return "UNKNOWN_IMPORT: " + imp.module() + "." + imp.name() + " (only host functions can be imported)";
            }
            ContractAbi.HostFunction f = imp.module().equals(ContractAbi.MODULE) ? ContractAbi.BY_NAME.get(imp.name()) : null;
            if (f == null) {
                return "UNKNOWN_IMPORT: " + imp.module() + "." + imp.name() + " is not a Cloister host function";
            }
            FunctionType t = module.typeSection().getType(fi.typeIndex());
            if (!t.params().equals(types(f.params())) || !t.returns().equals(types(f.results()))) {
                return "UNKNOWN_IMPORT: " + imp.name() + " has the wrong signature";
            }
        }
        Set<String> exports = new HashSet<>();
        for (int i = 0; i < module.exportSection().exportCount(); i++) {
            Export e = module.exportSection().getExport(i);
            exports.add(e.name() + ":" + e.exportType());
        }
        if (!exports.contains("memory:" + ExternalType.MEMORY)) {
            return "MISSING_EXPORT: the module must export its memory as \"memory\"";
        }
        if (ContractAbi.ENTRY_POINTS.stream().noneMatch(n -> exports.contains(n + ":" + ExternalType.FUNCTION))) {
            return "MISSING_EXPORT: the module exports none of init, call, query";
        }
        if (module.memorySection().isPresent() && module.memorySection().get().memoryCount() > 0
                && module.memorySection().get().getMemory(0).limits().initialPages() > ContractAbi.MAX_INITIAL_PAGES) {
            return "TOO_MANY_PAGES: initial memory above " + ContractAbi.MAX_INITIAL_PAGES + " pages";
        }
        return null;
    }

    private static List<ValType> types(List<ContractAbi.Type> abi) {
        return abi.stream().map(t -> t == ContractAbi.Type.I32 ? ValType.I32 : ValType.I64).toList();
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "not WebAssembly";
        }
        String line = s.replace('\n', ' ');
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
