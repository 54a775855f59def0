package cloister.chain.store;

import cloister.common.Hash;
import java.util.Objects;

/**
 * Where a committed transaction is: the block's height and hash and the transaction's index in the block.
 *
 * @param height    height of the including block
 * @param blockHash hash of the including block
 * @param index     position of the transaction in the block, from 0
 */
public record TxLocation(long height, Hash blockHash, int index) {
    public TxLocation {
        Objects.requireNonNull(blockHash, "blockHash");
        if (height < 0 || index < 0) {
            throw new IllegalArgumentException("height and index must not be negative");
        }
    }
}
