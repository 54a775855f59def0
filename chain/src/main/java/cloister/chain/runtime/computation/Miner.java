package cloister.chain.runtime.computation;

import cloister.chain.runtime.stakepool.StakePools;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.WorkerId;
import java.math.BigInteger;

/**
 * A worker's mining record as the chain keeps it. V is stored as of block {@code vHeight} and brought forward lazily
 * ({@link #valueAt}): it grows while the worker is idle (computing) and falls while it is unresponsive. Rewards accrue
 * through the module's accumulator: {@code share × (acc − accAt)} in 10^-18 units since the last settlement.
 *
 * @param score          P from the last benchmark (0: none yet)
 * @param instantScore   P_t: from the workload the enclave ran between its last two heartbeats (the benchmark's
 *                       score until then)
 * @param benchRequest   the height of the outstanding benchmark request, or -1
 * @param pool           the pool it computes for (0 when not computing)
 * @param challenge      the height of its outstanding heartbeat challenge, or -1
 * @param unresponsiveAt the height that marked it unresponsive, or -1
 * @param index          its place in the list of computing workers, or -1
 * @param rewards        units paid to its pool so far (mining); {@code storageRewards} likewise for storage
 */
public record Miner(WorkerId worker, MiningState state, int score, long ips, long benchRequest, long benchUntil, int instantScore,
                    long lastIterations, long lastWorkMillis, int contracts, long pool, long stake, long vInit, long v, long vHeight,
                    long vLast, long share, BigInteger accAt, long frac, long pending, long challenge, long unresponsiveAt,
                    long coolingUntil, boolean forced, long index, long rewards, long storageRewards, long heartbeats, long startedAt) {

    static Miner registered(WorkerId worker, long height, long benchUntil) {
        return new Miner(worker, MiningState.READY, 0, 0, height, benchUntil, 0, 0, 0, 0, 0, 0, 0, 0, height, 0, 0, BigInteger.ZERO, 0, 0,
                -1, -1, 0, false, -1, 0, 0, 0, -1);
    }

    /** Whether it counts as computing (idle or unresponsive): it holds stake and can be challenged or slashed. */
    public boolean computing() {
        return state == MiningState.IDLE || state == MiningState.UNRESPONSIVE;
    }

    /** V at block {@code height}: grown while idle (by k_p·(ρ−1) a block, capped at V_max), slashed while unresponsive. */
    public long valueAt(MiningConfig c, long height) {
        long blocks = Math.max(0, height - vHeight);
        if (blocks == 0 || v == 0) {
            return v;
        }
        return switch (state) {
            case IDLE -> {
                long rate = score == 0 ? 0 : Math.min(StakePools.mulDiv(c.growthPerBlock(), instantScore, score),
                        StakePools.mulDiv(c.growthPerBlock(), 12, 10)); // k_p ≤ 120 % (Phala)
                yield Math.min(c.vMax(), StakePools.mulDiv(v, Computation.pow(MiningConfig.ONE + rate, blocks), MiningConfig.ONE));
            }
            case UNRESPONSIVE -> StakePools.mulDiv(v, Computation.pow(MiningConfig.ONE - c.slashPerBlock(), blocks), MiningConfig.ONE);
            default -> v;
        };
    }

    Builder edit() {
        return new Builder(this);
    }

    byte[] encode() {
        return new CanonicalWriter(256).fixed(worker.bytes()).u8(state.ordinal()).u32(score).u64(ips).u64(benchRequest + 1).u64(benchUntil)
                .u32(instantScore).u64(lastIterations).u64(lastWorkMillis).u32(contracts).u64(pool).u64(stake).u64(vInit).u64(v)
                .u64(vHeight).u64(vLast).u64(share).bytes(accAt.toByteArray()).u64(frac).u64(pending).u64(challenge + 1)
                .u64(unresponsiveAt + 1).u64(coolingUntil).bool(forced).u64(index + 1).u64(rewards).u64(storageRewards).u64(heartbeats)
                .u64(startedAt + 1).toByteArray();
    }

    static Miner decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        Miner m = new Miner(WorkerId.of(r.fixed(32, "worker")), MiningState.values()[r.u8("state")], r.u32("score"), r.u64("ips"),
                r.u64("bench request") - 1, r.u64("bench until"), r.u32("instant score"), r.u64("iterations"), r.u64("work millis"),
                r.u32("contracts"), r.u64("pool"), r.u64("stake"), r.u64("v init"), r.u64("v"), r.u64("v height"), r.u64("v last"),
                r.u64("share"), new BigInteger(r.bytes(64, "acc")), r.u64("frac"), r.u64("pending"), r.u64("challenge") - 1,
                r.u64("unresponsive at") - 1, r.u64("cooling until"), r.bool("forced"), r.u64("index") - 1, r.u64("rewards"),
                r.u64("storage rewards"), r.u64("heartbeats"), r.u64("started at") - 1);
        r.end("miner");
        return m;
    }

    /** A mutable copy for the module's updates (records are immutable; a miner changes many fields at once). */
    static final class Builder {
        WorkerId worker;
        MiningState state;
        int score;
        long ips;
        long benchRequest;
        long benchUntil;
        int instantScore;
        long lastIterations;
        long lastWorkMillis;
        int contracts;
        long pool;
        long stake;
        long vInit;
        long v;
        long vHeight;
        long vLast;
        long share;
        BigInteger accAt;
        long frac;
        long pending;
        long challenge;
        long unresponsiveAt;
        long coolingUntil;
        boolean forced;
        long index;
        long rewards;
        long storageRewards;
        long heartbeats;
        long startedAt;

        Builder(Miner m) {
            worker = m.worker;
            state = m.state;
            score = m.score;
            ips = m.ips;
            benchRequest = m.benchRequest;
            benchUntil = m.benchUntil;
            instantScore = m.instantScore;
            lastIterations = m.lastIterations;
            lastWorkMillis = m.lastWorkMillis;
            contracts = m.contracts;
            pool = m.pool;
            stake = m.stake;
            vInit = m.vInit;
            v = m.v;
            vHeight = m.vHeight;
            vLast = m.vLast;
            share = m.share;
            accAt = m.accAt;
            frac = m.frac;
            pending = m.pending;
            challenge = m.challenge;
            unresponsiveAt = m.unresponsiveAt;
            coolingUntil = m.coolingUntil;
            forced = m.forced;
            index = m.index;
            rewards = m.rewards;
            storageRewards = m.storageRewards;
            heartbeats = m.heartbeats;
            startedAt = m.startedAt;
        }

        Miner build() {
            return new Miner(worker, state, score, ips, benchRequest, benchUntil, instantScore, lastIterations, lastWorkMillis, contracts,
                    pool, stake, vInit, v, vHeight, vLast, share, accAt, frac, pending, challenge, unresponsiveAt, coolingUntil, forced,
                    index, rewards, storageRewards, heartbeats, startedAt);
        }
    }
}
