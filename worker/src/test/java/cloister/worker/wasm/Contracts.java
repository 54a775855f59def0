package cloister.worker.wasm;

import cloister.chain.wasm.HostAbi;
import com.dylibso.chicory.wabt.Wat2Wasm;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Test support: WAT modules with the whole host ABI imported, contexts, little-endian helpers. */
public final class Contracts {
    private Contracts() {}

    /** Every host import, named {@code $storage_get}, {@code $caller}, ... */
    static final String IMPORTS = Arrays.stream(HostAbi.Import.values())
            .map(i -> i.wat().replace("(func", "(func $" + i.importName()))
            .collect(Collectors.joining("\n  "));

    /** A module: all imports, one page of memory exported, then {@code body} (which defines call and query). */
    public static byte[] module(String body) {
        return Wat2Wasm.parse("(module\n  " + IMPORTS + "\n  (memory (export \"memory\") 1)\n" + body + "\n)");
    }

    /** A module whose call runs {@code callBody} and whose query does nothing. */
    static byte[] callOnly(String callBody) {
        return module("(func (export \"call\") " + callBody + ")\n(func (export \"query\"))");
    }

    static byte[] wat(String wat) {
        return Wat2Wasm.parse(wat);
    }

    static byte[] account(int b) {
        byte[] a = new byte[32];
        Arrays.fill(a, (byte) b);
        return a;
    }

    static final byte[] CONTRACT = account(0xC0);

    static CallContext as(int caller) {
        return new CallContext(account(caller), CONTRACT, 7, 1_700_000_000_000L);
    }

    static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static long le64(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static byte[] op(int op, byte[] rest) {
        byte[] b = new byte[1 + rest.length];
        b[0] = (byte) op;
        System.arraycopy(rest, 0, b, 1, rest.length);
        return b;
    }

    static byte[] op(int op) {
        return new byte[] {(byte) op};
    }

    static WasmEngine engine(WasmEngine.Mode mode) {
        return new WasmEngine(WasmEngine.Config.defaults().withMode(mode));
    }
}
