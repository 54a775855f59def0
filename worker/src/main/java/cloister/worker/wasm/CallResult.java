package cloister.worker.wasm;

import cloister.chain.wasm.WasmModuleCheck;
import java.util.List;

/**
 * What one call of a contract did. Only an {@link Status#OK} call has effects: its {@code writes} are to be applied
 * to the contract's storage, its {@code events} published and its {@code transfers} applied by the chain. Every
 * other status discards them all (the lists are empty) and says why in {@code message}.
 *
 * <p>{@code gasUsed} is deterministic for every status but {@link Status#TIMEOUT}: the same module, entry, input,
 * context, storage and gas limit give the same status, gas, output, events, transfers and writes on every worker,
 * under the interpreter and the compiler alike. Out of gas uses the whole limit.
 *
 * @param status    how the call ended
 * @param gasUsed   gas consumed, at most the limit
 * @param output    what the contract passed to {@code return_value} (empty if nothing, or if the call failed)
 * @param events    events emitted, in order
 * @param transfers transfers requested, in order
 * @param writes    storage changes, sorted by key
 * @param message   empty for OK; else the revert message, the trap, or the limit that was hit
 */
public record CallResult(
        Status status,
        long gasUsed,
        byte[] output,
        List<ContractEvent> events,
        List<TransferRequest> transfers,
        List<StorageWrite> writes,
        String message) {

    /** How a call ended. */
    public enum Status {
        /** Finished normally: its effects apply. */
        OK,
        /** The contract called {@code revert}: nothing applies; {@code message} is the contract's. */
        REVERTED,
        /** Gas ran out: nothing applies; the whole limit is used. */
        OUT_OF_GAS,
        /** A trap (unreachable, division by zero, out-of-bounds access, call stack exhausted, ABI misuse). */
        TRAP,
        /** The call failed after {@code memory.grow} hit the page cap (a memory bomb): nothing applies. */
        MEMORY_LIMIT,
        /** A query ran past its wall-time cap (never a command: commands are bounded by gas). */
        TIMEOUT,
        /** The module is not an acceptable contract ({@link WasmModuleCheck}); nothing ran. */
        INVALID_MODULE,
        /** The worker could not open the call's input (altered, or sealed for something else); nothing ran. Never
         *  returned by the engine: the host reports it before running. */
        UNDECRYPTABLE
    }

    public CallResult {
        output = output.clone();
        events = List.copyOf(events);
        transfers = List.copyOf(transfers);
        writes = List.copyOf(writes);
        if (status != Status.OK && !(events.isEmpty() && transfers.isEmpty() && writes.isEmpty() && output.length == 0)) {
            throw new IllegalArgumentException("only an OK call has effects");
        }
    }

    static CallResult failed(Status status, long gasUsed, String message) {
        return new CallResult(status, gasUsed, new byte[0], List.of(), List.of(), List.of(), message);
    }

    public boolean ok() {
        return status == Status.OK;
    }

    @Override
    public byte[] output() {
        return output.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CallResult r && status == r.status && gasUsed == r.gasUsed
                && java.util.Arrays.equals(output, r.output) && events.equals(r.events)
                && transfers.equals(r.transfers) && writes.equals(r.writes) && message.equals(r.message);
    }

    @Override
    public int hashCode() {
        return status.hashCode() * 31 + Long.hashCode(gasUsed);
    }

    @Override
    public String toString() {
        return "CallResult[" + status + ", gas=" + gasUsed + ", output=" + output.length + " bytes, events="
                + events.size() + ", transfers=" + transfers.size() + ", writes=" + writes.size()
                + (message.isEmpty() ? "" : ", " + message) + "]";
    }
}
