package cloister.market.privacy;

import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * Exact sampler of the discrete Laplace distribution Lap_ℤ(t) on the integers,
 * {@code P[X = x] = (e^{1/t} − 1)/(e^{1/t} + 1) · e^{−|x|/t}}, for a rational scale t = scaleNum/scaleDen.
 *
 * <p>Adding Lap_ℤ(Δ/ε) to an integer query of L1 sensitivity Δ is ε-differentially private: moving the answer by Δ
 * changes every output's probability by a factor of at most e^{Δ/t} = e^ε. This is the geometric mechanism of Ghosh,
 * Roughgarden and Sundararajan (STOC 2009); the sampler is Algorithm 2 of Canonne, Kamath and Steinke, "The Discrete
 * Gaussian for Differential Privacy" (NeurIPS 2020, arXiv:2004.00010), which uses only integer uniform draws and
 * Bernoulli(exp(−γ)) draws with rational γ (see {@link ExactBernoulli}), so the output has exactly this distribution:
 * no floating-point rounding that could leak the true answer (Mironov, CCS 2012).
 *
 * <p>Supported range: {@code 1 ≤ scaleNum ≤ } {@link #MAX_SCALE_NUMERATOR} (2⁵⁶) and {@code scaleDen ≥ 1}. The expected
 * number of random draws per sample is bounded by a constant for every scale in that range (the paper's analysis: one
 * uniform, a geometric number of Bernoulli(exp(−1)) draws with mean below 0.6, and each round succeeds with probability
 * at least (1 − e^{−1})/2 &gt; 0.3). The intermediate value U + t·V is computed with overflow-checked arithmetic; with
 * t ≤ 2⁵⁶ it could only overflow if V ≥ 128, an event of probability e^{−128} &lt; 2^{−184}, which throws
 * {@link ArithmeticException} rather than return a wrong sample (V does not depend on the data, so the failure leaks
 * nothing).
 *
 * <p>Running time depends on the sample drawn (the paper discusses timing attacks): do not expose it to the adversary.
 */
public final class DiscreteLaplace {
    /** The largest scale numerator accepted, 2⁵⁶. */
    public static final long MAX_SCALE_NUMERATOR = 1L << 56;

    private final ExactBernoulli exact;

    /** For tests and for samplers built on this one; production code uses {@link #secure()}. */
    DiscreteLaplace(RandomGenerator random) {
        this(new ExactBernoulli(random));
    }

    DiscreteLaplace(ExactBernoulli exact) {
        this.exact = exact;
    }

    /** A sampler drawing its randomness from a fresh {@link SecureRandom}; safe to share between threads. */
    public static DiscreteLaplace secure() {
        return new DiscreteLaplace(new SecureRandom());
    }

    /**
     * One sample of Lap_ℤ(scaleNum/scaleDen).
     *
     * @param scaleNum numerator of the scale t, in {@code [1, MAX_SCALE_NUMERATOR]}
     * @param scaleDen denominator of the scale t, ≥ 1
     * @throws IllegalArgumentException if the scale is outside the supported range
     */
    public long sample(long scaleNum, long scaleDen) {
        if (scaleNum < 1 || scaleDen < 1) {
            throw new IllegalArgumentException("discrete Laplace scale must be > 0: " + scaleNum + "/" + scaleDen);
        }
        if (scaleNum > MAX_SCALE_NUMERATOR) {
            throw new IllegalArgumentException(
                    "discrete Laplace scale numerator " + scaleNum + " exceeds 2^56 (the supported range)");
        }
        return draw(scaleNum, scaleDen);
    }

    /**
     * Algorithm 2 with the paper's names: the output is Lap_ℤ(t/s). U + t·V is geometric with parameter 1 − e^{−1/t}
     * (U uniform below t kept with probability exp(−U/t), V geometric with parameter 1 − e^{−1}); dividing by s makes
     * it geometric with parameter 1 − e^{−s/t}; a random sign, rejecting "−0", makes it two-sided.
     */
    long draw(long t, long s) {
        while (true) {
            long u = exact.uniform(t);
            if (!exact.bernoulliExpMinus(u, t)) {
                continue;
            }
            long v = 0;
            while (exact.bernoulliExpMinus(1, 1)) {
                v++;
            }
            long y = Math.addExact(u, Math.multiplyExact(t, v)) / s;
            boolean negative = exact.bernoulli(1, 2);
            if (negative && y == 0) {
                continue;
            }
            return negative ? -y : y;
        }
    }
}
