package cloister.worker.wasm;

import java.util.Arrays;

/**
 * An event a call emitted. The engine only records it; the host encrypts it to the contract key unless
 * {@code isPublic}, and publishes it only if the call succeeded.
 */
public record ContractEvent(byte[] data, boolean isPublic) {
    public ContractEvent {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContractEvent e && isPublic == e.isPublic && Arrays.equals(data, e.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data) * 2 + (isPublic ? 1 : 0);
    }

    @Override
    public String toString() {
        return "ContractEvent[" + data.length + " bytes" + (isPublic ? ", public" : "") + "]";
    }
}
