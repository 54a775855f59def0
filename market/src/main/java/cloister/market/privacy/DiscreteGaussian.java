package cloister.market.privacy;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * Exact sampler of the discrete Gaussian N_ℤ(0, σ²) on the integers, {@code P[X = x] = e^{−x²/2σ²} / Σ_y e^{−y²/2σ²}},
 * for a rational σ² = sigma2Num/sigma2Den.
 *
 * <p>Adding N_ℤ(0, σ²) to an integer query of L2 sensitivity Δ gives (Δ²/2σ²)-concentrated DP, hence (ε, δ)-DP for a
 * range of pairs, never pure ε-DP; that is why it is offered as a sampler and not as an {@link IntegerNoise}. It adds
 * less noise than the discrete Laplace when many queries are composed. Reference: Canonne, Kamath and Steinke, "The
 * Discrete Gaussian for Differential Privacy" (NeurIPS 2020, arXiv:2004.00010), for the privacy analysis and for
 * this sampler, their Algorithm 3: draw Y ~ Lap_ℤ(t) with t = ⌊σ⌋ + 1 and keep it with probability
 * exp(−(|Y| − σ²/t)² / 2σ²). Everything is integer arithmetic (the acceptance exponent is a ratio of
 * {@link BigInteger}s, ⌊σ⌋ an exact integer square root), so the output has exactly this distribution.
 *
 * <p>Supported range: {@code 1 ≤ sigma2Num ≤ } {@link #MAX_SIGMA2_NUMERATOR} (2⁵⁶, so σ ≤ 2²⁸) and
 * {@code sigma2Den ≥ 1}. The expected number of rounds is bounded by a constant for every σ² (the paper's analysis
 * of Algorithm 3), and each round is one {@link DiscreteLaplace} draw plus one Bernoulli(exp(−γ)) draw.
 *
 * <p>Running time depends on the sample drawn (the paper discusses timing attacks): do not expose it to the adversary.
 */
public final class DiscreteGaussian {
    /** The largest σ² numerator accepted, 2⁵⁶. */
    public static final long MAX_SIGMA2_NUMERATOR = 1L << 56;

    private final ExactBernoulli exact;
    private final DiscreteLaplace laplace;

    /** For tests; production code uses {@link #secure()}. */
    DiscreteGaussian(RandomGenerator random) {
        this.exact = new ExactBernoulli(random);
        this.laplace = new DiscreteLaplace(exact);
    }

    /** A sampler drawing its randomness from a fresh {@link SecureRandom}; safe to share between threads. */
    public static DiscreteGaussian secure() {
        return new DiscreteGaussian(new SecureRandom());
    }

    /**
     * One sample of N_ℤ(0, sigma2Num/sigma2Den).
     *
     * @param sigma2Num numerator of σ², in {@code [1, MAX_SIGMA2_NUMERATOR]}
     * @param sigma2Den denominator of σ², ≥ 1
     * @throws IllegalArgumentException if σ² is outside the supported range
     */
    public long sample(long sigma2Num, long sigma2Den) {
        if (sigma2Num < 1 || sigma2Den < 1) {
            throw new IllegalArgumentException("discrete Gaussian σ² must be > 0: " + sigma2Num + "/" + sigma2Den);
        }
        if (sigma2Num > MAX_SIGMA2_NUMERATOR) {
            throw new IllegalArgumentException(
                    "discrete Gaussian σ² numerator " + sigma2Num + " exceeds 2^56 (the supported range)");
        }
        // ⌊√(a/b)⌋ = ⌊√⌊a/b⌋⌋ for integers, so the exact integer square root gives ⌊σ⌋.
        long t = BigInteger.valueOf(sigma2Num / sigma2Den).sqrt().longValueExact() + 1;
        BigInteger a = BigInteger.valueOf(sigma2Num);
        BigInteger bt = BigInteger.valueOf(sigma2Den).multiply(BigInteger.valueOf(t));
        // With σ² = a/b: (|Y| − σ²/t)² / 2σ² = (|Y|·b·t − a)² / (2·a·b·t²).
        BigInteger gammaDen = a.multiply(bt).multiply(BigInteger.valueOf(t)).shiftLeft(1);
        while (true) {
            long y = laplace.draw(t, 1);
            BigInteger diff = BigInteger.valueOf(y).abs().multiply(bt).subtract(a);
            if (exact.bernoulliExpMinus(diff.multiply(diff), gammaDen)) {
                return y;
            }
        }
    }
}
