package cloister.worker.wasm;

import cloister.chain.wasm.HostAbi;
import java.util.Arrays;

/**
 * What a call may learn about its surroundings, all from the chain: who sent it, which contract this is, and the
 * block. For a command, the block is the one holding it; for a query, the worker's latest block. Never the wall
 * clock: every worker must see the same values.
 *
 * @param caller      the 32-byte account of the command's sender or the query's caller
 * @param contractId  the 32-byte contract id
 * @param height      the block height
 * @param timeMillis  the block header's timestamp, in milliseconds since the epoch
 */
public record CallContext(byte[] caller, byte[] contractId, long height, long timeMillis) {
    public CallContext {
        if (caller.length != HostAbi.ACCOUNT_BYTES || contractId.length != HostAbi.ACCOUNT_BYTES) {
            throw new IllegalArgumentException("caller and contract id are 32 bytes");
        }
        caller = caller.clone();
        contractId = contractId.clone();
    }

    @Override
    public byte[] caller() {
        return caller.clone();
    }

    @Override
    public byte[] contractId() {
        return contractId.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CallContext c && Arrays.equals(caller, c.caller) && Arrays.equals(contractId, c.contractId)
                && height == c.height && timeMillis == c.timeMillis;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(caller) * 31 + Arrays.hashCode(contractId) + Long.hashCode(height ^ timeMillis);
    }

    @Override
    public String toString() {
        return "CallContext[height=" + height + ", time=" + timeMillis + "]";
    }
}
