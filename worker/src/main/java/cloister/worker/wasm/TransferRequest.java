package cloister.worker.wasm;

import cloister.chain.wasm.HostAbi;
import java.util.Arrays;

/**
 * A transfer of the contract's own balance that a call asked for. The engine only records it; the chain applies
 * it (and may refuse it for lack of balance) after the call succeeded.
 *
 * @param to     the 32-byte recipient account
 * @param amount the amount, positive
 */
public record TransferRequest(byte[] to, long amount) {
    public TransferRequest {
        if (to.length != HostAbi.ACCOUNT_BYTES || amount <= 0) {
            throw new IllegalArgumentException("a transfer is to a 32-byte account, of a positive amount");
        }
        to = to.clone();
    }

    @Override
    public byte[] to() {
        return to.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransferRequest t && amount == t.amount && Arrays.equals(to, t.to);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(to) * 31 + Long.hashCode(amount);
    }
}
