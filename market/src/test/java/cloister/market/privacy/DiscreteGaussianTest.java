package cloister.market.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Algorithm 3 against the exact pmf of N_ℤ(0, σ²), with fixed-seed test generators. */
class DiscreteGaussianTest {
    private static final int DRAWS = 100_000;

    /** P[X = x] = e^{−x²/2σ²} / Σ_y e^{−y²/2σ²}, the normaliser summed outward until its terms vanish. */
    static LongToDoubleFunction pmf(double sigma2) {
        double normaliser = 1;
        for (long y = 1; ; y++) {
            double term = 2 * Math.exp(-(double) y * y / (2 * sigma2));
            if (normaliser + term == normaliser) {
                break;
            }
            normaliser += term;
        }
        double z = normaliser;
        return x -> Math.exp(-(double) x * x / (2 * sigma2)) / z;
    }

    @ParameterizedTest(name = "σ² = {0}/{1}")
    @CsvSource({"1, 1, 31", "25, 4, 32", "2, 3, 33"})
    void matchesExactPmfMeanAndVariance(long num, long den, long seed) {
        DiscreteGaussian gaussian = new DiscreteGaussian(new SplittableRandom(seed));
        long[] samples = new long[DRAWS];
        for (int i = 0; i < DRAWS; i++) {
            samples[i] = gaussian.sample(num, den);
        }
        String name = "discrete Gaussian σ² = " + num + "/" + den;
        LongToDoubleFunction pmf = pmf((double) num / den);
        assertEquals(1.0, ChiSquareFit.evenMoment(pmf, 0), 1e-12);
        ChiSquareFit.Result fit = ChiSquareFit.ofSymmetric(name, samples, pmf);
        System.out.println(fit);
        assertTrue(fit.passes(), fit.toString());
        SampleMoments.of(samples).assertMatches(name, ChiSquareFit.evenMoment(pmf, 2), ChiSquareFit.evenMoment(pmf, 4));
    }

    @Test
    void tinyVarianceIsAlwaysZero() {
        // P[X ≠ 0] ≈ 2e^{−500000} at σ² = 10⁻⁶.
        DiscreteGaussian gaussian = new DiscreteGaussian(new SplittableRandom(34));
        for (int i = 0; i < 10_000; i++) {
            assertEquals(0, gaussian.sample(1, 1_000_000));
        }
    }

    @Test
    void largestVarianceHasTheRightSpread() {
        // σ = 2²⁸: with 2000 samples the sample standard deviation is within about 1.6 % of σ (one standard error).
        DiscreteGaussian gaussian = new DiscreteGaussian(new SplittableRandom(35));
        double sigma = Math.sqrt((double) DiscreteGaussian.MAX_SIGMA2_NUMERATOR);
        long[] samples = new long[2000];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = gaussian.sample(DiscreteGaussian.MAX_SIGMA2_NUMERATOR, 1);
            assertTrue(Math.abs((double) samples[i]) < 10 * sigma, "sample " + samples[i]);
        }
        double ratio = Math.sqrt(SampleMoments.of(samples).variance()) / sigma;
        assertTrue(ratio > 0.93 && ratio < 1.07, "standard deviation / σ = " + ratio);
    }

    @Test
    void refusesVariancesOutsideTheSupportedRange() {
        DiscreteGaussian gaussian = new DiscreteGaussian(new SplittableRandom(36));
        assertThrows(IllegalArgumentException.class, () -> gaussian.sample(0, 1));
        assertThrows(IllegalArgumentException.class, () -> gaussian.sample(-4, 1));
        assertThrows(IllegalArgumentException.class, () -> gaussian.sample(1, 0));
        assertThrows(IllegalArgumentException.class, () -> gaussian.sample(1, -1));
        assertThrows(IllegalArgumentException.class,
                () -> gaussian.sample(DiscreteGaussian.MAX_SIGMA2_NUMERATOR + 1, 1));
    }

    @Test
    void sameSeedGivesSameSamplesAndSecureSamplerDraws() {
        DiscreteGaussian a = new DiscreteGaussian(new SplittableRandom(37));
        DiscreteGaussian b = new DiscreteGaussian(new SplittableRandom(37));
        DiscreteGaussian secure = DiscreteGaussian.secure();
        long[] first = new long[500];
        long[] second = new long[500];
        long[] fromSecure = new long[500];
        for (int i = 0; i < 500; i++) {
            first[i] = a.sample(9, 1);
            second[i] = b.sample(9, 1);
            fromSecure[i] = secure.sample(9, 1);
        }
        assertArrayEquals(first, second);
        assertTrue(java.util.Arrays.stream(fromSecure).distinct().count() > 1);
    }
}
