package cloister.chain.wasm;

/**
 * The published price of everything a contract does, in gas. Part of consensus: every worker of a cluster must use
 * the same table, or their gas (and so their {@code OutOfGas} points) differ. {@link #V1} is the table
 * {@code docs/contract-abi.md} publishes; a change is a new version.
 *
 * <p>Instructions are priced statically and charged per straight-line segment before the segment runs (see
 * {@code GasInstrumenter}); instructions whose work depends on an operand ({@code memory.grow}, bulk memory and table
 * operations) pay a base price statically plus a size-dependent price just before they run. Host functions are
 * priced by the host: {@link #hostCall} plus the function's own base plus the bytes they move.
 *
 * @param version          the table's version, reported with gas so that numbers from different tables are not mixed
 * @param instruction      any instruction not priced below (arithmetic, locals, globals, constants, branches, ...)
 * @param memoryAccess     a load or a store
 * @param divide           integer division and remainder
 * @param call             a direct call (the callee's instructions are charged as they run)
 * @param callIndirect     an indirect call
 * @param branchTable      {@code br_table}
 * @param memoryGrow       {@code memory.grow}, before its per-page price
 * @param memoryPage       per 64 KiB page requested by {@code memory.grow}, and per initial page at instantiation
 * @param bulk             {@code memory.fill/copy/init}, {@code table.fill/copy/init/grow}, before their size price
 * @param bytesPerGas      bytes moved per unit of gas, for bulk memory operations and for host functions' copies
 * @param tableElement     per table element touched by a table bulk operation
 * @param callStackLimit   the deterministic call-stack budget in frame units (see {@code docs/contract-abi.md})
 * @param entry            every call: instantiation, before anything runs
 * @param hostCall         every host function call
 * @param storageRead      {@code storage_get}
 * @param storageWrite     {@code storage_set}
 * @param storageWriteByte per byte of key and value stored by {@code storage_set} (state is kept by every worker)
 * @param storageRemove    {@code storage_remove}
 * @param event            {@code emit_event}
 * @param sha256           {@code sha256}, before its per-block price
 * @param sha256Block      per 64-byte block hashed by {@code sha256} (the padded message)
 * @param transfer         {@code transfer}
 */
public record GasTable(
        int version,
        long instruction,
        long memoryAccess,
        long divide,
        long call,
        long callIndirect,
        long branchTable,
        long memoryGrow,
        long memoryPage,
        long bulk,
        long bytesPerGas,
        long tableElement,
        int callStackLimit,
        long entry,
        long hostCall,
        long storageRead,
        long storageWrite,
        long storageWriteByte,
        long storageRemove,
        long event,
        long sha256,
        long sha256Block,
        long transfer) {

    /** Version 1, the table in {@code docs/contract-abi.md}. */
    public static final GasTable V1 = new GasTable(
            1, // version
            1, // instruction
            2, // memoryAccess
            4, // divide
            10, // call
            15, // callIndirect
            2, // branchTable
            100, // memoryGrow
            1024, // memoryPage
            10, // bulk
            8, // bytesPerGas
            1, // tableElement
            131_072, // callStackLimit
            500, // entry
            50, // hostCall
            200, // storageRead
            1_000, // storageWrite
            1, // storageWriteByte
            500, // storageRemove
            200, // event
            100, // sha256
            16, // sha256Block
            1_000); // transfer

    /** Largest size-dependent price per unit: keeps {@code count × price} of a 32-bit count within an i64. */
    public static final long MAX_UNIT_PRICE = 1L << 20;

    public GasTable {
        long[] prices = {instruction, memoryAccess, divide, call, callIndirect, branchTable, memoryGrow, bulk, entry,
            hostCall, storageRead, storageWrite, storageRemove, event, sha256, transfer};
        for (long p : prices) {
            if (p < 0 || p > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("a gas price is between 0 and 2^31-1, got " + p);
            }
        }
        for (long p : new long[] {memoryPage, tableElement, storageWriteByte, sha256Block}) {
            if (p < 0 || p > MAX_UNIT_PRICE) {
                throw new IllegalArgumentException("a per-unit gas price is between 0 and 2^20, got " + p);
            }
        }
        if (bytesPerGas < 1 || bytesPerGas > MAX_UNIT_PRICE) {
            throw new IllegalArgumentException("bytesPerGas is between 1 and 2^20, got " + bytesPerGas);
        }
        if (callStackLimit < 1 || callStackLimit > (1 << 30)) {
            throw new IllegalArgumentException("callStackLimit is between 1 and 2^30, got " + callStackLimit);
        }
    }

    /** Gas for moving {@code bytes} bytes: {@code ceil(bytes / bytesPerGas)}. */
    public long bytes(long bytes) {
        return (bytes + bytesPerGas - 1) / bytesPerGas;
    }

    /**
     * The static price of one instruction: {@code opcode} is its first byte, {@code subOpcode} the LEB128 that
     * follows a {@code 0xFC} prefix (else 0). Structure ({@code nop block loop else end}) is free: every loop
     * iteration still pays for the branch that repeats it.
     */
    long price(int opcode, int subOpcode) {
        return switch (opcode) {
            case 0x01, 0x02, 0x03, 0x05, 0x0B -> 0;
            case 0x0E -> branchTable;
            case 0x10 -> call;
            case 0x11 -> callIndirect;
            case 0x25, 0x26 -> memoryAccess; // table.get/set
            case 0x40 -> memoryGrow;
            case 0x6D, 0x6E, 0x6F, 0x70, 0x7F, 0x80, 0x81, 0x82 -> divide; // i32/i64 div_s div_u rem_s rem_u
            case 0xFC -> switch (subOpcode) {
                case 8, 10, 11, 12, 14, 15, 17 -> bulk; // memory.init/copy/fill, table.init/copy/grow/fill
                default -> instruction;
            };
            default -> (opcode >= 0x28 && opcode <= 0x3E) ? memoryAccess : instruction;
        };
    }
}
