package cloister.chain.runtime.contracts;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The host functions a WebAssembly contract may import (module {@value #MODULE}), with their signatures — the one
 * list the chain checks uploads against and the worker's engine implements. docs/contract-abi.md describes each.
 */
public final class ContractAbi {
    public static final String MODULE = "cloister";

    /** A value type of the ABI. */
    public enum Type { I32, I64 }

    /** One host function: name, parameter and result types. */
    public record HostFunction(String name, List<Type> params, List<Type> results) {
        public HostFunction {
            params = List.copyOf(params);
            results = List.copyOf(results);
        }
    }

    private static HostFunction f(String name, List<Type> params, List<Type> results) {
        return new HostFunction(name, params, results);
    }

    private static final Type I = Type.I32;
    private static final Type L = Type.I64;

    public static final List<HostFunction> FUNCTIONS = List.of(
            f("storage_get", List.of(I, I, I, I), List.of(I)),
            f("storage_set", List.of(I, I, I, I), List.of()),
            f("storage_remove", List.of(I, I), List.of()),
            f("input_len", List.of(), List.of(I)),
            f("input_read", List.of(I), List.of()),
            f("caller", List.of(I), List.of()),
            f("contract_id", List.of(I), List.of()),
            f("block_height", List.of(), List.of(L)),
            f("block_time", List.of(), List.of(L)),
            f("emit_event", List.of(I, I, I), List.of()),
            f("return_value", List.of(I, I), List.of()),
            f("revert", List.of(I, I), List.of()),
            f("sha256", List.of(I, I, I), List.of()),
            f("transfer", List.of(I, L), List.of(I)));

    public static final Map<String, HostFunction> BY_NAME =
            FUNCTIONS.stream().collect(Collectors.toUnmodifiableMap(HostFunction::name, x -> x));

    /** The entry points a contract may export; it must export {@code memory} and at least one of these. */
    public static final List<String> ENTRY_POINTS = List.of("init", "call", "query");

    /** The most 64 KiB pages a contract's memory may declare initially. */
    public static final int MAX_INITIAL_PAGES = 256;

    private ContractAbi() {}
}
