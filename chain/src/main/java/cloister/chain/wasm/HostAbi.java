package cloister.chain.wasm;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The host ABI of Cloister's WebAssembly contracts, version 1: what a contract module may import, what it must
 * export, and the size limits the host enforces. {@code docs/contract-abi.md} is the prose version of this class;
 * both change together.
 *
 * <p>Every import lives in module {@value #MODULE}. Pointers and lengths are {@code i32} offsets into the contract's
 * own linear memory, exported as {@value #MEMORY_EXPORT}; a range outside it traps. A module that imports anything
 * else, or an import of the right name with another signature, is refused ({@link WasmRefusal#UNKNOWN_IMPORT}).
 */
public final class HostAbi {
    /** The import module name of every host function. */
    public static final String MODULE = "cloister";
    /** The linear memory export the host reads and writes. */
    public static final String MEMORY_EXPORT = "memory";
    /** Length of an account (caller, transfer recipient) and of a contract id. */
    public static final int ACCOUNT_BYTES = 32;
    /** Longest storage key. */
    public static final int MAX_KEY_BYTES = 256;
    /** Longest storage value and call output. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;
    /** Longest event (events are published on chain, so they are kept small). */
    public static final int MAX_EVENT_BYTES = 4096;
    /** Most events one call may emit. */
    public static final int MAX_EVENTS = 16;
    /** Most transfers one call may ask for. */
    public static final int MAX_TRANSFERS = 16;
    /** Longest revert message kept; longer ones are cut to this many bytes. */
    public static final int MAX_REVERT_MESSAGE_BYTES = 1024;

    private HostAbi() {}

    /** A WebAssembly value type used by the ABI. */
    public enum ValueType {
        I32,
        I64;

        /** The WAT spelling: {@code i32}, {@code i64}. */
        public String wat() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The functions a contract exports for the host to call. None takes parameters or returns results. */
    public enum Export {
        /** The constructor, run once when the contract is instantiated. Optional. */
        INIT("init", false),
        /** A command: may change state, emit events and request transfers. Required. */
        CALL("call", true),
        /** A read-only query: state writes, events and transfers trap. Required. */
        QUERY("query", true);

        private final String exportName;
        private final boolean required;

        Export(String exportName, boolean required) {
            this.exportName = exportName;
            this.required = required;
        }

        public String exportName() {
            return exportName;
        }

        public boolean required() {
            return required;
        }
    }

    /** The host functions, in the order the documentation lists them. */
    public enum Import {
        /** {@code (key_ptr, key_len, out_ptr, out_cap) -> len}: the value's length, or -1 if absent; copies only if it fits. */
        STORAGE_GET("storage_get", List.of(ValueType.I32, ValueType.I32, ValueType.I32, ValueType.I32), List.of(ValueType.I32)),
        /** {@code (key_ptr, key_len, val_ptr, val_len)}: sets a key of the contract's private state. */
        STORAGE_SET("storage_set", List.of(ValueType.I32, ValueType.I32, ValueType.I32, ValueType.I32), List.of()),
        /** {@code (key_ptr, key_len)}: removes a key (no effect if absent). */
        STORAGE_REMOVE("storage_remove", List.of(ValueType.I32, ValueType.I32), List.of()),
        /** {@code () -> len}: the length of the call's input. */
        INPUT_LEN("input_len", List.of(), List.of(ValueType.I32)),
        /** {@code (out_ptr)}: copies the whole input to {@code out_ptr}. */
        INPUT_READ("input_read", List.of(ValueType.I32), List.of()),
        /** {@code (out_ptr)}: the 32-byte account of the command's sender or the query's caller. */
        CALLER("caller", List.of(ValueType.I32), List.of()),
        /** {@code (out_ptr)}: the 32-byte id of this contract. */
        CONTRACT_ID("contract_id", List.of(ValueType.I32), List.of()),
        /** {@code () -> height}: the height of the block the command is in (queries: the worker's latest block). */
        BLOCK_HEIGHT("block_height", List.of(), List.of(ValueType.I64)),
        /** {@code () -> ms}: that block's timestamp in milliseconds since the epoch, from its header. */
        BLOCK_TIME("block_time", List.of(), List.of(ValueType.I64)),
        /** {@code (ptr, len, public)}: emits an event; encrypted to the contract key unless {@code public} is 1. */
        EMIT_EVENT("emit_event", List.of(ValueType.I32, ValueType.I32, ValueType.I32), List.of()),
        /** {@code (ptr, len)}: sets the call's output; at most once per call. */
        RETURN_VALUE("return_value", List.of(ValueType.I32, ValueType.I32), List.of()),
        /** {@code (msg_ptr, msg_len)}: ends the call, discarding all its effects, and reports the message. */
        REVERT("revert", List.of(ValueType.I32, ValueType.I32), List.of()),
        /** {@code (ptr, len, out_ptr)}: SHA-256 of the bytes, 32 bytes written to {@code out_ptr}. */
        SHA256("sha256", List.of(ValueType.I32, ValueType.I32, ValueType.I32), List.of()),
        /** {@code (to_ptr, amount) -> status}: records a transfer of the contract's own balance; 0 = recorded. */
        TRANSFER("transfer", List.of(ValueType.I32, ValueType.I64), List.of(ValueType.I32));

        private final String importName;
        private final List<ValueType> params;
        private final List<ValueType> results;

        Import(String importName, List<ValueType> params, List<ValueType> results) {
            this.importName = importName;
            this.params = params;
            this.results = results;
        }

        /** The import's field name within module {@value HostAbi#MODULE}. */
        public String importName() {
            return importName;
        }

        public List<ValueType> params() {
            return params;
        }

        public List<ValueType> results() {
            return results;
        }

        /** The WAT import declaration, e.g. {@code (import "cloister" "input_len" (func (result i32)))}. */
        public String wat() {
            StringBuilder sb = new StringBuilder("(import \"" + MODULE + "\" \"" + importName + "\" (func");
            if (!params.isEmpty()) {
                sb.append(" (param");
                params.forEach(p -> sb.append(' ').append(p.wat()));
                sb.append(')');
            }
            if (!results.isEmpty()) {
                sb.append(" (result");
                results.forEach(r -> sb.append(' ').append(r.wat()));
                sb.append(')');
            }
            return sb.append("))").toString();
        }

        /** The import named {@code name} in module {@value HostAbi#MODULE}, if there is one. */
        public static Optional<Import> byName(String name) {
            return Arrays.stream(values()).filter(i -> i.importName.equals(name)).findFirst();
        }
    }

    /** Status returned by {@link Import#TRANSFER}: the transfer was recorded (the chain applies it after the call). */
    public static final int TRANSFER_RECORDED = 0;
    /** Status returned by {@link Import#TRANSFER}: the amount was zero or negative; nothing recorded. */
    public static final int TRANSFER_BAD_AMOUNT = 1;
}
