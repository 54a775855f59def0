package cloister.market.privacy;

import java.math.BigInteger;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exact uniform and Bernoulli draws with integer arithmetic only: the building blocks of Algorithms 1–3 of Canonne,
 * Kamath and Steinke, "The Discrete Gaussian for Differential Privacy" (NeurIPS 2020, arXiv:2004.00010).
 *
 * <p>Why no floating point: a sampler that computes {@code exp} or {@code log} in doubles does not produce the
 * distribution its privacy proof assumes; its rounding pattern depends on the true answer and can leak it (Mironov,
 * "On Significance of the Least Significant Bits for Differential Privacy", CCS 2012). Every probability here is a
 * ratio of integers, and every draw is a comparison of a uniform integer with such a ratio, so the output distribution
 * is exactly the stated one (given a perfect uniform source).
 *
 * <p>Uniform integers come from rejection sampling on the fewest random bits that cover the range, never from a
 * modulo reduction, which would favour small values. Each draw needs fewer than two attempts on average.
 *
 * <p>Thread safety is that of the generator: {@link java.security.SecureRandom} is safe to share.
 */
final class ExactBernoulli {
    private final RandomGenerator random;

    ExactBernoulli(RandomGenerator random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /** A uniform integer in {@code [0, bound)}; {@code bound ≥ 1}. */
    long uniform(long bound) {
        if (bound < 1) {
            throw new IllegalArgumentException("uniform bound must be ≥ 1: " + bound);
        }
        if (bound == 1) {
            return 0;
        }
        int bits = Long.SIZE - Long.numberOfLeadingZeros(bound - 1);
        while (true) {
            long candidate = random.nextLong() >>> (Long.SIZE - bits);
            if (candidate < bound) {
                return candidate;
            }
        }
    }

    /** A uniform integer in {@code [0, bound)}; {@code bound ≥ 1}. */
    BigInteger uniform(BigInteger bound) {
        if (bound.signum() <= 0) {
            throw new IllegalArgumentException("uniform bound must be ≥ 1: " + bound);
        }
        if (bound.bitLength() < Long.SIZE) {
            return BigInteger.valueOf(uniform(bound.longValueExact()));
        }
        int bits = bound.subtract(BigInteger.ONE).bitLength();
        byte[] bytes = new byte[(bits + 7) / 8];
        int excess = bytes.length * 8 - bits;
        while (true) {
            random.nextBytes(bytes);
            bytes[0] = (byte) (bytes[0] & (0xFF >>> excess));
            BigInteger candidate = new BigInteger(1, bytes);
            if (candidate.compareTo(bound) < 0) {
                return candidate;
            }
        }
    }

    /** {@code true} with probability exactly {@code num/den}; {@code 0 ≤ num ≤ den}, {@code den ≥ 1}. */
    boolean bernoulli(long num, long den) {
        if (den < 1 || num < 0 || num > den) {
            throw new IllegalArgumentException("Bernoulli needs 0 ≤ num ≤ den, den ≥ 1: " + num + "/" + den);
        }
        return uniform(den) < num;
    }

    /** {@code true} with probability exactly {@code num/den}; {@code 0 ≤ num ≤ den}, {@code den ≥ 1}. */
    boolean bernoulli(BigInteger num, BigInteger den) {
        if (den.signum() <= 0 || num.signum() < 0 || num.compareTo(den) > 0) {
            throw new IllegalArgumentException("Bernoulli needs 0 ≤ num ≤ den, den ≥ 1: " + num + "/" + den);
        }
        return uniform(den).compareTo(num) < 0;
    }

    /**
     * {@code true} with probability exactly {@code exp(−num/den)}; {@code num ≥ 0}, {@code den ≥ 1} (Algorithm 1).
     *
     * <p>exp(−γ) = exp(−1)^⌊γ⌋ · exp(−(γ − ⌊γ⌋)): the whole part is ⌊γ⌋ independent Bernoulli(exp(−1)) draws, stopping
     * at the first failure (so the loop runs fewer than 1.6 times on average however large γ is), and the fractional
     * part uses the series in {@link #expMinusAtMostOne}. No product is ever formed, so nothing can overflow.
     */
    boolean bernoulliExpMinus(long num, long den) {
        if (num < 0 || den < 1) {
            throw new IllegalArgumentException("Bernoulli(exp(−γ)) needs γ = num/den ≥ 0, den ≥ 1: " + num + "/" + den);
        }
        long whole = num / den;
        for (long k = 0; k < whole; k++) {
            if (!expMinusAtMostOne(1, 1)) {
                return false;
            }
        }
        return expMinusAtMostOne(num % den, den);
    }

    /**
     * As {@link #bernoulliExpMinus(long, long)} for a γ whose terms exceed a long (the discrete Gaussian's acceptance
     * test squares its candidate).
     */
    boolean bernoulliExpMinus(BigInteger num, BigInteger den) {
        if (num.signum() < 0 || den.signum() <= 0) {
            throw new IllegalArgumentException("Bernoulli(exp(−γ)) needs γ = num/den ≥ 0, den ≥ 1: " + num + "/" + den);
        }
        if (num.bitLength() < Long.SIZE && den.bitLength() < Long.SIZE) {
            return bernoulliExpMinus(num.longValueExact(), den.longValueExact());
        }
        BigInteger[] wholeAndFraction = num.divideAndRemainder(den);
        for (BigInteger k = BigInteger.ZERO; k.compareTo(wholeAndFraction[0]) < 0; k = k.add(BigInteger.ONE)) {
            if (!expMinusAtMostOne(1, 1)) {
                return false;
            }
        }
        BigInteger fraction = wholeAndFraction[1];
        long k = 1;
        while (bernoulli(1, k) && bernoulli(fraction, den)) {
            k++;
        }
        return (k & 1) == 1;
    }

    /**
     * Algorithm 1 for γ = num/den ∈ [0, 1]: draw A_k ~ Bernoulli(γ/k) for k = 1, 2, … until the first failure K; then
     * P[K odd] = Σ (−γ)^j / j! = exp(−γ). Bernoulli(γ/k) is drawn as Bernoulli(1/k) ∧ Bernoulli(γ) (independent), which
     * avoids the product den·k. K passes j with probability γ^j/j!, so the loop is short.
     */
    private boolean expMinusAtMostOne(long num, long den) {
        long k = 1;
        while (bernoulli(1, k) && bernoulli(num, den)) {
            k++;
        }
        return (k & 1) == 1;
    }
}
