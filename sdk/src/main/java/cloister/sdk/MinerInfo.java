package cloister.sdk;

import cloister.crypto.AccountId;
import cloister.proto.WorkerId;

/**
 * A worker's mining record as the chain keeps it (amounts in base units; heights -1 when absent).
 *
 * @param pool              the stake pool it belongs to, or -1
 * @param state             {@code ready}, {@code idle} (computing), {@code unresponsive} or {@code cooling-down}
 * @param score             P, from its last benchmark (0: none yet)
 * @param instantScore      P_t, from the work it did between its last two heartbeats
 * @param benchmarkUntil    the deadline of an outstanding benchmark request, or -1
 * @param v                 V now (brought forward to the head)
 * @param vInit             V when it started computing (its stake is slashed in proportion if V ends below it)
 * @param minimumStake      k·√P: the least stake it can start with at its P
 * @param share             its share of each block's budget, √(V² + (2·P_t·conf)²), as of its last heartbeat
 * @param accrued           earned since its last payout, paid at its next heartbeat
 * @param rewards           mining rewards paid to its pool so far; {@code storageRewards} likewise for storage
 * @param challengeAt       the block of its outstanding heartbeat challenge, or -1; {@code challengeDeadline} the last
 *                          block to answer it
 * @param unresponsiveSince the block that marked it unresponsive, or -1
 * @param coolingUntil      while cooling down: the block from which its stake can be reclaimed, else -1
 * @param forcedStop        whether it was stopped by its pool's overdue withdrawals (reclaimed automatically)
 * @param startedAt         the block it started computing, or -1
 */
public record MinerInfo(WorkerId id, AccountId operator, int confidenceLevel, long pool, String state, int score, int instantScore,
                        long iterationsPerSecond, long benchmarkUntil, long v, long vInit, long stake, long minimumStake, long share,
                        long accrued, long rewards, long storageRewards, long heartbeats, long challengeAt, long challengeDeadline,
                        long unresponsiveSince, long coolingUntil, boolean forcedStop, long startedAt) {
    /** Whether it holds stake and answers challenges (idle or unresponsive). */
    public boolean computing() {
        return state.equals("idle") || state.equals("unresponsive");
    }

    public long rewardsTotal() {
        return rewards + storageRewards;
    }
}
