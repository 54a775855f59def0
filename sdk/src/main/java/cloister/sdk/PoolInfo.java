package cloister.sdk;

import cloister.crypto.AccountId;
import cloister.proto.WorkerId;
import java.math.BigInteger;
import java.util.List;

/**
 * A stake pool (amounts in base units; shares in share units — a pool's first delegation buys one share unit per
 * token unit, so shares read like CLO until rewards raise the price).
 *
 * @param commissionPpm what its owner takes of each reward, in millionths
 * @param totalStake    free plus locked; the pool account's balance
 * @param freeStake     available to start workers and pay withdrawals
 * @param lockedStake   held by its computing and cooling workers
 * @param sharePrice    units per share unit, as a decimal string
 * @param rewardsReceived what its workers earned for it (mining and storage), before commission
 */
public record PoolInfo(long id, AccountId owner, AccountId account, int commissionPpm, long totalStake, long freeStake, long lockedStake,
                       long totalShares, String sharePrice, long rewardsReceived, List<Worker> workers, List<Withdrawal> queue) {
    public PoolInfo {
        workers = List.copyOf(workers);
        queue = List.copyOf(queue);
    }

    /** What {@code shares} are worth now, rounded down (as the chain pays them). */
    public long value(long shares) {
        return totalShares == 0 ? 0 : BigInteger.valueOf(shares).multiply(BigInteger.valueOf(totalStake))
                .divide(BigInteger.valueOf(totalShares)).longValueExact();
    }

    /** One of its workers: mining state, P, stake and V now. */
    public record Worker(WorkerId id, String state, int score, long stake, long v) {}

    /** A withdrawal waiting for free stake; still waiting at {@code forcesStopAt}, it makes the pool stop workers. */
    public record Withdrawal(AccountId who, long shares, long value, long queuedAt, long forcesStopAt) {}
}
