package cloister.proto;

/**
 * What a transaction asks the chain to do. Each runtime module has its own sealed family of calls; the codec tags
 * a call with (module byte, function byte) — see {@code docs/codec.md}. Later modules add their families here.
 */
public sealed interface Call permits BalancesCall, SudoCall, RegistryCall, ContractsCall, StorageCall, DataMarketCall, MiningCall {
    /** "module.function", e.g. {@code balances.transfer}. */
    String name();
}
