package cloister.chain;

import cloister.crypto.SigningKey;
import cloister.proto.Block;
import cloister.proto.BlockHeader;

/**
 * What a consensus engine drives. The engine decides <em>when</em> and <em>who</em>: the dev engine
 * ({@link DevSealing}) proposes and imports its own blocks on a timer; a replicated-log engine (Apache Ratis,
 * next) has its leader {@link #propose} and every validator {@link #importBlock} each committed block in log
 * order. The chain decides <em>what</em>: block contents and validity, as a pure function of state and block.
 */
public interface BlockProduction {
    BlockHeader head();

    /** Builds and seals a block on the current head from the pool's ready transactions. Does not import it. */
    cloister.proto.Block propose(long timestampMillis, SigningKey sealer);

    /** Validates a block against the current head and, if valid, applies and persists it. */
    ImportResult importBlock(Block block);

    /** Whether the pool holds a transaction that could go into the next block. */
    boolean hasReadyTransactions();

    /** Registers a callback run after each accepted transaction (engines that seal on arrival use it). */
    void onTransactionArrival(Runnable listener);
}
