package cloister.worker.enclave;

import cloister.common.Hash;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.MalformedException;
import cloister.worker.wasm.ContractStorage;
import java.util.Map;

/**
 * A hosted WebAssembly contract's private part in this worker: its storage and the code hash it runs now. The code
 * hash is kept here, not only in the {@link NetworkView}, because instantiation and upgrades travel through the
 * same per-contract buffer as calls ({@link ContractHost}): a worker that replays buffered calls must run each with
 * the code that was current when the call was made, not with the code of today.
 *
 * <p>Snapshot: {@code bool instantiated ‖ [hash codeHash] ‖ u32 n ‖ n × (bytes key ‖ bytes value)} in key order.
 * The state hash is {@link ContractStorage#stateHash()} (docs/contract-abi.md), over the storage only.
 */
final class WasmContract {
    /** The contract kind the chain gives WebAssembly contracts in {@code ContractDeployed}. */
    static final String KIND = "wasm";

    ContractStorage storage = new ContractStorage();
    /** Null until the {@code WasmInstantiated} message is applied. */
    Hash codeHash;

    Hash stateHash() {
        return storage.stateHash();
    }

    byte[] snapshot() {
        CanonicalWriter w = new CanonicalWriter(64 + 64 * storage.size()).bool(codeHash != null);
        if (codeHash != null) {
            w.hash(codeHash);
        }
        w.u32(storage.size());
        for (Map.Entry<byte[], byte[]> e : storage.view().entrySet()) {
            w.bytes(e.getKey()).bytes(e.getValue());
        }
        return w.toByteArray();
    }

    /** @throws MalformedException if the bytes are not a snapshot */
    static WasmContract restore(byte[] snapshot) {
        CanonicalReader r = new CanonicalReader(snapshot);
        WasmContract c = new WasmContract();
        if (r.bool("instantiated")) {
            c.codeHash = r.hash("code hash");
        }
        int n = r.u32("entries");
        for (int i = 0; i < n; i++) {
            byte[] key = r.bytes(cloister.chain.wasm.HostAbi.MAX_KEY_BYTES, "key");
            byte[] value = r.bytes(cloister.chain.wasm.HostAbi.MAX_VALUE_BYTES, "value");
            c.storage.put(key, value);
        }
        r.end("wasm contract state");
        return c;
    }
}
