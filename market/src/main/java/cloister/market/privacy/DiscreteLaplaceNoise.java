package cloister.market.privacy;

import java.math.BigInteger;
import java.util.Objects;

/**
 * ε-DP noise for integer queries: the discrete Laplace (geometric) mechanism with scale t = Δ/ε, sampled exactly by
 * {@link DiscreteLaplace}.
 *
 * <p>With ε held as m micro-units, t = Δ·10⁶/m is an exact rational, reduced by its gcd before sampling; no ε is ever
 * rounded to a double. Privacy: P[noise = x]/P[noise = x + Δ] ≤ e^{Δ/t} = e^ε for every x, so the released answer is
 * ε-DP for a query of L1 sensitivity Δ (Ghosh, Roughgarden and Sundararajan, STOC 2009; Canonne, Kamath and Steinke,
 * arXiv:2004.00010). The noise has mean 0 and variance 2e^{−1/t}/(1 − e^{−1/t})² ≈ 2t².
 *
 * <p>Supported range: Δ ≥ 1, ε &gt; 0, and the reduced numerator of Δ·10⁶/m at most
 * {@link DiscreteLaplace#MAX_SCALE_NUMERATOR} (2⁵⁶; for example Δ up to 7·10¹⁰ at any ε).
 */
public final class DiscreteLaplaceNoise implements IntegerNoise {
    private static final BigInteger MICROS_PER_UNIT = BigInteger.valueOf(Epsilon.MICROS_PER_UNIT);

    private final DiscreteLaplace laplace;

    /** For tests; production code uses {@link #secure()}. */
    DiscreteLaplaceNoise(DiscreteLaplace laplace) {
        this.laplace = Objects.requireNonNull(laplace, "laplace");
    }

    /** Noise drawn from a {@link java.security.SecureRandom}; safe to share between threads. */
    public static DiscreteLaplaceNoise secure() {
        return new DiscreteLaplaceNoise(DiscreteLaplace.secure());
    }

    /**
     * @throws IllegalArgumentException if Δ &lt; 1, ε = 0, or Δ/ε is beyond the supported range
     */
    @Override
    public long noise(long sensitivity, Epsilon epsilon) {
        Objects.requireNonNull(epsilon, "epsilon");
        if (sensitivity < 1) {
            throw new IllegalArgumentException("sensitivity must be ≥ 1: " + sensitivity);
        }
        if (epsilon.micros() == 0) {
            throw new IllegalArgumentException("ε must be > 0: a zero-ε release would need infinite noise");
        }
        BigInteger num = BigInteger.valueOf(sensitivity).multiply(MICROS_PER_UNIT);
        BigInteger den = BigInteger.valueOf(epsilon.micros());
        BigInteger gcd = num.gcd(den);
        num = num.divide(gcd);
        den = den.divide(gcd);
        if (num.compareTo(BigInteger.valueOf(DiscreteLaplace.MAX_SCALE_NUMERATOR)) > 0) {
            throw new IllegalArgumentException("noise scale Δ/ε = " + sensitivity + "/" + epsilon
                    + " is beyond the supported range (reduced numerator over 2^56)");
        }
        return laplace.sample(num.longValueExact(), den.longValueExact());
    }
}
