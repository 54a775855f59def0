package cloister.chain.runtime.computation;

import cloister.common.Tokens;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.MalformedException;
import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Every constant of the mining economics, in one place, kept in chain state from genesis (so every node applies the
 * same numbers). The reference is Phala's published Gemini tokenomics ("Worker Rewards",
 * docs.phala.network/compute-providers/basic-info/worker-rewards); each field says where its value comes from. Rates
 * that Phala gives per hour or per day are converted to per block with {@link #blocksPerHour}. Fixed-point rates are
 * in units of 10^-18 ({@link #ONE}). Token amounts are in base units (1 CLO = 10^9).
 *
 * @param blocksPerHour        how many blocks make an hour of economics. Production: 300 (Phala's 12 s blocks). The
 *                             devnet uses 60 — an accelerated clock where one 1-second block counts as one minute, so a
 *                             stopped worker visibly loses V within a minute
 * @param benchmarkBlocks      how long a worker benchmarks after registration or a re-benchmark request (our choice)
 * @param scorePerIps          P = min(scoreCap, iterations/s × scorePerIps) — the statement of Phala's score (6)
 * @param scoreCap             the cap on P (6000)
 * @param minStakePerSqrtP     k in S_min = k·√P, in units (Phala's proposed k = 50 PHA → 50 CLO)
 * @param stakeMultiplier      R^e in V^e = f(R^e, conf)·(S + C), in thousandths (Phala: 1.5 → 1500)
 * @param confidenceScores     ConfidenceScore for confidence levels 1..5, in thousandths (Phala: 1, 1, 1, 0.8, 0.7)
 * @param costPerScore         C = 0.3·P/φ, in units per point of P: we have no price oracle, so φ = 1 CLO/USD and
 *                             C = 0.3 CLO per point (Phala's formula with a fixed quote)
 * @param vMax                 the cap on V (Phala: 30,000 PHA → 30,000 CLO)
 * @param growthPerBlock       ρ^m − 1 per block, ×10^18: Phala's ρ^m = 1.00020 per hour, as a per-block rate
 * @param slashPerBlock        V lost per unresponsive block, ×10^18: Phala's level-1 slash, 0.1 % of V per hour
 * @param challengeTarget      heartbeat challenges targeted per block (Phala: about 20)
 * @param challengeMinPeriod   each worker is challenged with probability min(target/N, 1/minPeriod) per block (150, as
 *                             in the architecture; the devnet uses 10 so its two workers are paid often)
 * @param challengeWindow      blocks a challenged worker has to answer (Phala's ChallengeWindow: 10)
 * @param budgetPerBlock       the mining budget B per block, in units: Phala's first month, 21.6 M PHA over 30 days,
 *                             is 30,000 PHA an hour → 30,000 CLO an hour divided by blocksPerHour
 * @param halvingBlocks        the budget falls by halvingDiscount every this many blocks (Phala: 180 days)
 * @param halvingDiscount      thousandths taken off the budget at each halving (Phala: 25 % → 250)
 * @param treasuryShare        thousandths of every reward that go to the treasury (Phala's Treasure Share: 20 % → 200)
 * @param cooldownBlocks       blocks between stop and reclaim (Phala's δ: 7 days; the devnet: 20 blocks)
 * @param withdrawGraceBlocks  a queued withdrawal older than this forces its pool to stop workers (Phala: 7 days;
 *                             the devnet: 30 blocks)
 * @param storageRewardPerGiB  storage mining: units per GiB of verified replicas per storage slot, paid to the
 *                             provider's pool like a mining reward (our choice: 1 CLO per GiB-slot; Crust's formula
 *                             differs and is out of scope)
 */
public record MiningConfig(int blocksPerHour, int benchmarkBlocks, int scorePerIps, int scoreCap, long minStakePerSqrtP,
                           int stakeMultiplier, int[] confidenceScores, long costPerScore, long vMax, long growthPerBlock,
                           long slashPerBlock, int challengeTarget, int challengeMinPeriod, int challengeWindow, long budgetPerBlock,
                           long halvingBlocks, int halvingDiscount, int treasuryShare, long cooldownBlocks, long withdrawGraceBlocks,
                           long storageRewardPerGiB) {
    /** 1.0 in the fixed-point rates. */
    public static final long ONE = 1_000_000_000_000_000_000L;

    public MiningConfig {
        confidenceScores = confidenceScores.clone();
        if (blocksPerHour < 1 || benchmarkBlocks < 1 || scorePerIps < 1 || scoreCap < 1 || minStakePerSqrtP < 0 || stakeMultiplier < 1000
                || confidenceScores.length != 5 || costPerScore < 0 || vMax < 1 || growthPerBlock < 0 || growthPerBlock >= ONE
                || slashPerBlock < 0 || slashPerBlock >= ONE || challengeTarget < 1 || challengeMinPeriod < 1 || challengeWindow < 1
                || budgetPerBlock < 0 || halvingBlocks < 1 || halvingDiscount < 0 || halvingDiscount >= 1000 || treasuryShare < 0
                || treasuryShare > 1000 || cooldownBlocks < 0 || withdrawGraceBlocks < 1 || storageRewardPerGiB < 0) {
            throw new IllegalArgumentException("mining configuration out of range");
        }
        for (int c : confidenceScores) {
            if (c < 0 || c > 1000) {
                throw new IllegalArgumentException("confidence scores are 0..1000 thousandths");
            }
        }
    }

    /** Phala's published constants on 12-second blocks (300 an hour). */
    public static MiningConfig production() {
        return phala(300, 10, 150, 7L * 24 * 300, 7L * 24 * 300);
    }

    /**
     * The devnet: Phala's constants on an accelerated clock (a block counts as a minute), challenges every 10 blocks
     * on average, a 5-block benchmark, a 20-block cooldown and a 30-block withdrawal grace period.
     */
    public static MiningConfig devnet() {
        return phala(60, 5, 10, 20, 30);
    }

    /** Phala's constants with the given clock and the periods that differ between networks. */
    public static MiningConfig phala(int blocksPerHour, int benchmarkBlocks, int challengeMinPeriod, long cooldownBlocks,
                                     long withdrawGraceBlocks) {
        return new MiningConfig(blocksPerHour, benchmarkBlocks, 6, 6000, Tokens.of(50), 1500, new int[] {1000, 1000, 1000, 800, 700},
                Tokens.UNITS_PER_TOKEN * 3 / 10, Tokens.of(30_000), perBlock("1.00020", blocksPerHour) - ONE,
                ONE - perBlock("0.999", blocksPerHour), 20, challengeMinPeriod, 10, Tokens.of(30_000) / blocksPerHour,
                180L * 24 * blocksPerHour, 250, 200, cooldownBlocks, withdrawGraceBlocks, Tokens.UNITS_PER_TOKEN);
    }

    /** hourly^(1/blocksPerHour) ×10^18, rounded down — computed once when a network is configured, then kept in state. */
    static long perBlock(String hourly, int blocksPerHour) {
        // ln/exp in BigDecimal are not available; 40 Newton steps of x^n = a from x = 1 converge for a near 1.
        MathContext mc = new MathContext(40);
        BigDecimal a = new BigDecimal(hourly);
        BigDecimal n = BigDecimal.valueOf(blocksPerHour);
        BigDecimal x = BigDecimal.ONE;
        for (int i = 0; i < 60; i++) {
            BigDecimal xn1 = x.pow(blocksPerHour - 1, mc);
            x = x.subtract(x.multiply(xn1, mc).subtract(a, mc).divide(n.multiply(xn1, mc), mc), mc);
        }
        return x.movePointRight(18).setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
    }

    @Override
    public int[] confidenceScores() {
        return confidenceScores.clone();
    }

    /** The ConfidenceScore of a confidence level (1..5), in thousandths; an unknown level scores 0. */
    public int confidenceScore(int level) {
        return level >= 1 && level <= 5 ? confidenceScores[level - 1] : 0;
    }

    /** The mining budget of block {@code height}, after the halvings so far. */
    public long budgetAt(long height) {
        long halvings = height / halvingBlocks;
        long b = budgetPerBlock;
        for (long i = 0; i < halvings && b > 0; i++) {
            b = b - b * halvingDiscount / 1000;
        }
        return b;
    }

    public byte[] encode() {
        CanonicalWriter w = new CanonicalWriter(256).u32(blocksPerHour).u32(benchmarkBlocks).u32(scorePerIps).u32(scoreCap)
                .u64(minStakePerSqrtP).u32(stakeMultiplier);
        for (int c : confidenceScores) {
            w.u32(c);
        }
        return w.u64(costPerScore).u64(vMax).u64(growthPerBlock).u64(slashPerBlock).u32(challengeTarget).u32(challengeMinPeriod)
                .u32(challengeWindow).u64(budgetPerBlock).u64(halvingBlocks).u32(halvingDiscount).u32(treasuryShare).u64(cooldownBlocks)
                .u64(withdrawGraceBlocks).u64(storageRewardPerGiB).toByteArray();
    }

    public static MiningConfig decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        int bph = r.u32("blocks per hour");
        int bench = r.u32("benchmark blocks");
        int spi = r.u32("score per ips");
        int cap = r.u32("score cap");
        long k = r.u64("min stake per sqrt P");
        int mult = r.u32("stake multiplier");
        int[] conf = new int[5];
        for (int i = 0; i < 5; i++) {
            conf[i] = r.u32("confidence score");
        }
        try {
            MiningConfig c = new MiningConfig(bph, bench, spi, cap, k, mult, conf, r.u64("cost per score"), r.u64("v max"),
                    r.u64("growth"), r.u64("slash"), r.u32("challenge target"), r.u32("challenge period"), r.u32("challenge window"),
                    r.u64("budget"), r.u64("halving blocks"), r.u32("halving discount"), r.u32("treasury share"), r.u64("cooldown"),
                    r.u64("grace"), r.u64("storage reward"));
            r.end("mining config");
            return c;
        } catch (IllegalArgumentException e) {
            throw new MalformedException(e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MiningConfig c && java.util.Arrays.equals(c.encode(), encode());
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return "MiningConfig[blocksPerHour=" + blocksPerHour + ", budgetPerBlock=" + budgetPerBlock + ", cooldown=" + cooldownBlocks + "]";
    }
}
