package cloister.chain.wasm;

import cloister.common.ValidationResult;
import cloister.chain.wasm.WasmBytes.MalformedModule;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides whether bytes are an acceptable Cloister contract: valid WebAssembly (Chicory's parser and validator),
 * importing only the {@link HostAbi host ABI} with the right signatures, exporting {@code memory}, {@code call} and
 * {@code query} (and optionally {@code init}) with the right types, within the size and page caps, and using only
 * features the gas metering covers. Pure and deterministic: the chain refuses uploads with the same function the
 * workers use before running code.
 */
public final class WasmModuleCheck {
    /** The default cap on a module's size, in bytes. */
    public static final int DEFAULT_MAX_BYTES = 512 * 1024;
    /** The default cap on memory pages (64 KiB each): on the declared initial size, and on growth at run time. */
    public static final int DEFAULT_MAX_PAGES = 256;

    private WasmModuleCheck() {}

    /** {@link #check(byte[], int, int)} with {@link #DEFAULT_MAX_PAGES}. */
    public static ValidationResult<WasmRefusal> check(byte[] wasm, int maxBytes) {
        return check(wasm, maxBytes, DEFAULT_MAX_PAGES);
    }

    /**
     * Valid, or refused with a reason: {@link WasmRefusal#TOO_LARGE} over {@code maxBytes}; {@link
     * WasmRefusal#MALFORMED_WASM}; {@link WasmRefusal#UNKNOWN_IMPORT} naming the import; {@link
     * WasmRefusal#MISSING_EXPORT}; {@link WasmRefusal#TOO_MANY_PAGES} if the memory's initial size is above
     * {@code maxPages}; {@link WasmRefusal#UNSUPPORTED_FEATURE}.
     */
    public static ValidationResult<WasmRefusal> check(byte[] wasm, int maxBytes, int maxPages) {
        return inspect(wasm, maxBytes, maxPages, GasTable.V1) instanceof Refused r ? r.result : ValidationResult.valid();
    }

    /** The outcome of {@link #inspect}: refused, or accepted with what the engine needs to run it. */
    public sealed interface Outcome permits Refused, Accepted {}

    public record Refused(ValidationResult<WasmRefusal> result) implements Outcome {}

    /**
     * An acceptable module, metered with a gas table.
     *
     * @param metered the instrumented module, parsed, and where its metering globals are
     * @param memory  the declared memory limits (the engine caps the maximum)
     * @param hasInit whether it exports {@code init}
     */
    public record Accepted(WasmModule module, GasInstrumenter.Metered metered, MemoryLimits memory, boolean hasInit)
            implements Outcome {}

    private static Refused refuse(WasmRefusal reason, String message) {
        return new Refused(ValidationResult.invalid(reason, message));
    }

    public static Outcome inspect(byte[] wasm, int maxBytes, int maxPages, GasTable table) {
        if (wasm.length > maxBytes) {
            return refuse(WasmRefusal.TOO_LARGE, "the module is " + wasm.length + " bytes; the limit is " + maxBytes);
        }
        // The metering rewrite decodes every function first: it refuses malformed structure before Chicory's
        // parser sees it. A feature it does not cover is reported after the ABI checks below.
        GasInstrumenter.Metered metered = null;
        String unsupported = null;
        try {
            metered = GasInstrumenter.instrument(wasm, table);
        } catch (GasInstrumenter.Unsupported e) {
            unsupported = e.getMessage();
        } catch (MalformedModule | RuntimeException e) {
            return refuse(WasmRefusal.MALFORMED_WASM, "not a valid WebAssembly module: " + describe(e));
        }
        WasmModule module;
        try {
            module = Parser.parse(wasm);
        } catch (RuntimeException | StackOverflowError | AssertionError e) {
            // AssertionError: some of Chicory's parser checks are assertions (when enabled, as in tests).
            return refuse(WasmRefusal.MALFORMED_WASM, "not a valid WebAssembly module: " + describe(e));
        }
        try {
            return inspectParsed(module, metered, unsupported, maxPages);
        } catch (RuntimeException e) {
            // Chicory's parser leaves some checks (e.g. export indices) to instantiation; an index out of range
            // here is such a module.
            return refuse(WasmRefusal.MALFORMED_WASM, "not a valid WebAssembly module: " + describe(e));
        }
    }

    private static Outcome inspectParsed(WasmModule module, GasInstrumenter.Metered metered, String unsupported,
            int maxPages) {
        Map<Integer, FunctionType> functionTypes = new HashMap<>();
        int importedFunctions = 0;
        var imports = module.importSection();
        for (int i = 0; i < imports.importCount(); i++) {
            Import imp = imports.getImport(i);
            String name = imp.module() + "." + imp.name();
            if (!(imp instanceof FunctionImport f) || !imp.module().equals(HostAbi.MODULE)) {
                return refuse(WasmRefusal.UNKNOWN_IMPORT, "imports " + name + " (" + kind(imp.importType())
                        + "); the host provides only the functions of module \"" + HostAbi.MODULE + "\"");
            }
            var abi = HostAbi.Import.byName(imp.name());
            if (abi.isEmpty()) {
                return refuse(WasmRefusal.UNKNOWN_IMPORT, "imports " + name + ", which the host ABI does not provide");
            }
            FunctionType type = module.typeSection().getType(f.typeIndex());
            if (!type.params().equals(valTypes(abi.get().params())) || !type.returns().equals(valTypes(abi.get().results()))) {
                return refuse(WasmRefusal.UNKNOWN_IMPORT, "imports " + name + " with type " + type
                        + "; the host ABI's is " + abi.get().wat());
            }
            functionTypes.put(importedFunctions++, type);
        }

        var memories = module.memorySection();
        if (memories.isEmpty() || memories.get().memoryCount() == 0) {
            return refuse(WasmRefusal.MISSING_EXPORT, "the module has no memory; it must define one and export it as \""
                    + HostAbi.MEMORY_EXPORT + "\"");
        }
        MemoryLimits limits = memories.get().getMemory(0).limits();
        if (limits.shared()) {
            return refuse(WasmRefusal.UNSUPPORTED_FEATURE, "shared memory (threads)");
        }
        if (limits.initialPages() > maxPages) {
            return refuse(WasmRefusal.TOO_MANY_PAGES, "the memory starts at " + limits.initialPages()
                    + " pages; the cap is " + maxPages + " pages of 64 KiB");
        }

        for (FunctionType t : module.typeSection().types()) {
            if (hasFloat(t.params()) || hasFloat(t.returns())) {
                return refuse(WasmRefusal.UNSUPPORTED_FEATURE, "the module uses " + GasInstrumenter.FLOATS);
            }
        }
        for (var g : module.globalSection().globals()) {
            if (hasFloat(List.of(g.valueType()))) {
                return refuse(WasmRefusal.UNSUPPORTED_FEATURE, "the module uses " + GasInstrumenter.FLOATS);
            }
        }

        Map<String, Export> exports = new HashMap<>();
        var exportSection = module.exportSection();
        for (int i = 0; i < exportSection.exportCount(); i++) {
            Export e = exportSection.getExport(i);
            int functions = importedFunctions + module.functionSection().functionCount();
            if (e.exportType() == ExternalType.FUNCTION && (e.index() < 0 || e.index() >= functions)) {
                return refuse(WasmRefusal.MALFORMED_WASM, "export \"" + e.name() + "\" names function " + e.index()
                        + ", which does not exist");
            }
            exports.put(e.name(), e);
        }
        Export memory = exports.get(HostAbi.MEMORY_EXPORT);
        if (memory == null || memory.exportType() != ExternalType.MEMORY) {
            return refuse(WasmRefusal.MISSING_EXPORT, "the memory must be exported as \"" + HostAbi.MEMORY_EXPORT + "\"");
        }
        boolean hasInit = false;
        for (HostAbi.Export required : HostAbi.Export.values()) {
            Export e = exports.get(required.exportName());
            if (e == null) {
                if (required.required()) {
                    return refuse(WasmRefusal.MISSING_EXPORT, "the module does not export \"" + required.exportName()
                            + "\" (a function with no parameters and no results)");
                }
                continue;
            }
            FunctionType type = e.exportType() != ExternalType.FUNCTION ? null
                    : e.index() < importedFunctions ? functionTypes.get(e.index())
                    : module.functionSection().getFunctionType(e.index() - importedFunctions, module.typeSection());
            if (type == null || !type.params().isEmpty() || !type.returns().isEmpty()) {
                return refuse(WasmRefusal.MISSING_EXPORT, "export \"" + required.exportName()
                        + "\" must be a function with no parameters and no results");
            }
            hasInit |= required == HostAbi.Export.INIT;
        }

        if (unsupported != null) {
            return refuse(WasmRefusal.UNSUPPORTED_FEATURE, "the module uses " + unsupported
                    + ", which the deterministic gas metering does not cover");
        }
        WasmModule meteredModule;
        try {
            meteredModule = Parser.parse(metered.wasm());
        } catch (RuntimeException e) {
            // A bug in the metering rewrite, not in the module; refusing keeps the chain and the workers in step
            // (and alive) rather than letting an upload crash them.
            return refuse(WasmRefusal.UNSUPPORTED_FEATURE, "the module could not be metered: " + describe(e));
        }
        return new Accepted(meteredModule, metered, limits, hasInit);
    }

    private static boolean hasFloat(List<ValType> types) {
        return types.stream().anyMatch(t -> t.equals(ValType.F32) || t.equals(ValType.F64));
    }

    private static List<ValType> valTypes(List<HostAbi.ValueType> types) {
        return types.stream().map(t -> t == HostAbi.ValueType.I32 ? ValType.I32 : ValType.I64).toList();
    }

    private static String kind(ExternalType t) {
        return switch (t) {
            case FUNCTION -> "a function";
            case TABLE -> "a table";
            case MEMORY -> "a memory";
            case GLOBAL -> "a global";
            case TAG -> "a tag";
        };
    }

    private static String describe(Throwable e) {
        if (e instanceof StackOverflowError) {
            return "nested too deeply";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
