package cloister.worker.wasm;

import cloister.chain.wasm.GasTable;
import cloister.chain.wasm.HostAbi;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One call in progress: the host side of the ABI. Reads go through the call's own writes to the storage snapshot;
 * writes, events, transfers and output are kept here and become the {@link CallResult} only if the call ends OK.
 * Confined to the thread running the call.
 */
final class ContractCall {
    private static final byte[] REMOVED = new byte[0];

    private final Entry entry;
    private final byte[] input;
    private final CallContext context;
    private final ContractStorage storage;
    private final GasTable gas;
    final GasMeter meter;
    private final TreeMap<byte[], byte[]> writes = new TreeMap<>(Arrays::compareUnsigned);
    private final List<ContractEvent> events = new ArrayList<>();
    private final List<TransferRequest> transfers = new ArrayList<>();
    private byte[] output;

    ContractCall(Entry entry, byte[] input, CallContext context, ContractStorage storage, GasTable gas, GasMeter meter) {
        this.entry = entry;
        this.input = input;
        this.context = context;
        this.storage = storage;
        this.gas = gas;
        this.meter = meter;
    }

    /** The result of a call that finished normally, with {@code gasUsed}. */
    CallResult ok(long gasUsed) {
        List<StorageWrite> changes = new ArrayList<>(writes.size());
        for (Map.Entry<byte[], byte[]> w : writes.entrySet()) {
            changes.add(w.getValue() == REMOVED ? StorageWrite.remove(w.getKey()) : StorageWrite.put(w.getKey(), w.getValue()));
        }
        return new CallResult(CallResult.Status.OK, gasUsed, output == null ? new byte[0] : output, events, transfers,
                changes, "");
    }

    private static final HostAbi.Import[] IMPORTS = HostAbi.Import.values();
    private static final FunctionType[] TYPES = java.util.Arrays.stream(IMPORTS)
            .map(i -> FunctionType.of(valTypes(i.params()), valTypes(i.results())))
            .toArray(FunctionType[]::new);

    ImportValues imports() {
        HostFunction[] functions = new HostFunction[IMPORTS.length];
        for (int n = 0; n < IMPORTS.length; n++) {
            HostAbi.Import i = IMPORTS[n];
            functions[n] = new HostFunction(HostAbi.MODULE, i.importName(), TYPES[n], (instance, args) -> dispatch(i, instance, args));
        }
        return ImportValues.builder().addFunction(functions).build();
    }

    private static List<ValType> valTypes(List<HostAbi.ValueType> types) {
        return types.stream().map(t -> t == HostAbi.ValueType.I32 ? ValType.I32 : ValType.I64).toList();
    }

    private long[] dispatch(HostAbi.Import function, Instance instance, long[] args) {
        Memory memory = instance.memory();
        return switch (function) {
            case STORAGE_GET -> {
                long keyLen = u32(args[1]);
                charge(gas.storageRead() + gas.bytes(keyLen));
                byte[] key = read(memory, function, args[0], checkKey(function, keyLen));
                byte[] value = lookup(key);
                if (value == null) {
                    yield i32(-1);
                }
                if (value.length <= u32(args[3])) {
                    charge(gas.bytes(value.length));
                    write(memory, function, args[2], value);
                }
                yield i32(value.length);
            }
            case STORAGE_SET -> {
                mutating(function);
                long keyLen = u32(args[1]);
                long valueLen = u32(args[3]);
                charge(gas.storageWrite() + gas.bytes(keyLen + valueLen) + gas.storageWriteByte() * (keyLen + valueLen));
                byte[] key = read(memory, function, args[0], checkKey(function, keyLen));
                if (valueLen > HostAbi.MAX_VALUE_BYTES) {
                    throw trap(function, "value of " + valueLen + " bytes; the limit is " + HostAbi.MAX_VALUE_BYTES);
                }
                writes.put(key, read(memory, function, args[2], valueLen));
                yield null;
            }
            case STORAGE_REMOVE -> {
                mutating(function);
                long keyLen = u32(args[1]);
                charge(gas.storageRemove() + gas.bytes(keyLen));
                writes.put(read(memory, function, args[0], checkKey(function, keyLen)), REMOVED);
                yield null;
            }
            case INPUT_LEN -> {
                charge(0);
                yield i32(input.length);
            }
            case INPUT_READ -> {
                charge(gas.bytes(input.length));
                write(memory, function, args[0], input);
                yield null;
            }
            case CALLER -> {
                charge(gas.bytes(HostAbi.ACCOUNT_BYTES));
                write(memory, function, args[0], context.caller());
                yield null;
            }
            case CONTRACT_ID -> {
                charge(gas.bytes(HostAbi.ACCOUNT_BYTES));
                write(memory, function, args[0], context.contractId());
                yield null;
            }
            case BLOCK_HEIGHT -> {
                charge(0);
                yield new long[] {context.height()};
            }
            case BLOCK_TIME -> {
                charge(0);
                yield new long[] {context.timeMillis()};
            }
            case EMIT_EVENT -> {
                mutating(function);
                long len = u32(args[1]);
                charge(gas.event() + gas.bytes(len));
                if (len > HostAbi.MAX_EVENT_BYTES) {
                    throw trap(function, "event of " + len + " bytes; the limit is " + HostAbi.MAX_EVENT_BYTES);
                }
                if (events.size() == HostAbi.MAX_EVENTS) {
                    throw trap(function, "more than " + HostAbi.MAX_EVENTS + " events in one call");
                }
                int flag = (int) args[2];
                if (flag != 0 && flag != 1) {
                    throw trap(function, "public is 0 or 1, got " + flag);
                }
                events.add(new ContractEvent(read(memory, function, args[0], len), flag == 1));
                yield null;
            }
            case RETURN_VALUE -> {
                long len = u32(args[1]);
                charge(gas.bytes(len));
                if (output != null) {
                    throw trap(function, "called twice");
                }
                if (len > HostAbi.MAX_VALUE_BYTES) {
                    throw trap(function, "output of " + len + " bytes; the limit is " + HostAbi.MAX_VALUE_BYTES);
                }
                output = read(memory, function, args[0], len);
                yield null;
            }
            case REVERT -> {
                int len = (int) Math.min(u32(args[1]), HostAbi.MAX_REVERT_MESSAGE_BYTES);
                charge(gas.bytes(len));
                byte[] message = read(memory, function, args[0], len);
                throw new HostStop(HostStop.Kind.REVERT, new String(message, StandardCharsets.UTF_8));
            }
            case SHA256 -> {
                long len = u32(args[1]);
                long blocks = (len + 8 + 64) / 64; // the padded message: data, 0x80, 64-bit length
                charge(gas.sha256() + gas.sha256Block() * blocks + gas.bytes(len + 32));
                byte[] data = read(memory, function, args[0], len);
                write(memory, function, args[2], sha256(data));
                yield null;
            }
            case TRANSFER -> {
                mutating(function);
                charge(gas.transfer() + gas.bytes(HostAbi.ACCOUNT_BYTES));
                byte[] to = read(memory, function, args[0], HostAbi.ACCOUNT_BYTES);
                long amount = args[1];
                if (amount <= 0) {
                    yield i32(HostAbi.TRANSFER_BAD_AMOUNT);
                }
                if (transfers.size() == HostAbi.MAX_TRANSFERS) {
                    throw trap(function, "more than " + HostAbi.MAX_TRANSFERS + " transfers in one call");
                }
                transfers.add(new TransferRequest(to, amount));
                yield i32(HostAbi.TRANSFER_RECORDED);
            }
        };
    }

    private byte[] lookup(byte[] key) {
        byte[] written = writes.get(key);
        if (written != null) {
            return written == REMOVED ? null : written;
        }
        return storage.peek(key);
    }

    private void charge(long price) {
        meter.charge(gas.hostCall() + price);
    }

    private void mutating(HostAbi.Import function) {
        if (!entry.mutating()) {
            throw trap(function, "not allowed in a query (queries are read-only)");
        }
    }

    private static int checkKey(HostAbi.Import function, long keyLen) {
        if (keyLen > HostAbi.MAX_KEY_BYTES) {
            throw trap(function, "key of " + keyLen + " bytes; the limit is " + HostAbi.MAX_KEY_BYTES);
        }
        return (int) keyLen;
    }

    private static HostStop trap(HostAbi.Import function, String message) {
        return new HostStop(HostStop.Kind.TRAP, HostAbi.MODULE + "." + function.importName() + ": " + message);
    }

    private static long u32(long arg) {
        return arg & 0xFFFF_FFFFL;
    }

    private static long[] i32(int value) {
        return new long[] {value};
    }

    private static void bounds(Memory memory, HostAbi.Import function, long ptr, long len) {
        long size = (long) memory.pages() * Memory.PAGE_SIZE;
        if (ptr + len > size) {
            throw trap(function, "out of bounds memory access (" + len + " bytes at " + ptr + ", memory is " + size
                    + " bytes)");
        }
    }

    private static byte[] read(Memory memory, HostAbi.Import function, long ptrArg, long len) {
        long ptr = u32(ptrArg);
        bounds(memory, function, ptr, len);
        return memory.readBytes((int) ptr, (int) len);
    }

    private static void write(Memory memory, HostAbi.Import function, long ptrArg, byte[] data) {
        long ptr = u32(ptrArg);
        bounds(memory, function, ptr, data.length);
        memory.write((int) ptr, data);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
