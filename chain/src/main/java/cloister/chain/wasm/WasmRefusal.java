package cloister.chain.wasm;

import cloister.common.Reason;

/** Why {@link WasmModuleCheck} refused a contract module. */
public enum WasmRefusal implements Reason {
    /** Not a valid WebAssembly module (bad bytes, or it fails validation). */
    MALFORMED_WASM,
    /** It imports something the host ABI does not provide, or a host function with another signature. */
    UNKNOWN_IMPORT,
    /** Larger than the size limit. */
    TOO_LARGE,
    /** It lacks a required export ({@code memory}, {@code call}, {@code query}), or one has the wrong type. */
    MISSING_EXPORT,
    /** Its memory's declared initial size is above the page cap. */
    TOO_MANY_PAGES,
    /**
     * It uses a WebAssembly feature the deterministic metering does not cover: SIMD, threads and shared memory,
     * exception handling, tail calls, GC types, multiple or 64-bit memories.
     */
    UNSUPPORTED_FEATURE
}
