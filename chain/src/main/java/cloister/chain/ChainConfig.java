package cloister.chain;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Configuration of one chain node. Validated on construction.
 *
 * @param dataDir         where RocksDB keeps blocks and state
 * @param blockTimeMillis dev sealing interval (ignored with {@code instantSeal})
 * @param instantSeal     seal a block as soon as a transaction arrives
 * @param poolCapacity    the most transactions the pool holds
 * @param maxBlockTransactions the most transactions a proposed block carries
 * @param syncWrites      fsync each block's write batch; off by default, since RocksDB's write-ahead log already
 *                        survives a killed process (only a power loss can lose the last blocks)
 */
public record ChainConfig(Path dataDir, long blockTimeMillis, boolean instantSeal, int poolCapacity,
                          int maxBlockTransactions, boolean syncWrites) {
    public static final long DEFAULT_BLOCK_TIME_MILLIS = 1000;

    public ChainConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        if (blockTimeMillis < 10 || blockTimeMillis > 600_000) {
            throw new IllegalArgumentException("block time must be between 10 ms and 10 minutes, got " + blockTimeMillis + " ms");
        }
        if (poolCapacity < 1) {
            throw new IllegalArgumentException("pool capacity must be positive");
        }
        if (maxBlockTransactions < 1) {
            throw new IllegalArgumentException("max block transactions must be positive");
        }
    }

    /** Defaults for a dev node: 1 s blocks, a pool of 100 000, up to 20 000 transactions a block. */
    public static ChainConfig dev(Path dataDir) {
        return new ChainConfig(dataDir, DEFAULT_BLOCK_TIME_MILLIS, false, 100_000, 20_000, false);
    }

    public ChainConfig withBlockTime(long millis) {
        return new ChainConfig(dataDir, millis, instantSeal, poolCapacity, maxBlockTransactions, syncWrites);
    }

    public ChainConfig withInstantSeal(boolean instant) {
        return new ChainConfig(dataDir, blockTimeMillis, instant, poolCapacity, maxBlockTransactions, syncWrites);
    }
}
