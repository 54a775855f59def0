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

/** Algorithm 2 against the exact pmf of Lap_ℤ(t), with fixed-seed test generators. */
class DiscreteLaplaceTest {
    private static final int DRAWS = 100_000;

    /** P[X = x] = (e^{1/t} − 1)/(e^{1/t} + 1) · e^{−|x|/t}. */
    static LongToDoubleFunction pmf(double t) {
        double c = Math.expm1(1 / t) / (Math.exp(1 / t) + 1);
        return x -> c * Math.exp(-Math.abs(x) / t);
    }

    /** Var X = 2e^{−1/t} / (1 − e^{−1/t})². */
    static double variance(double t) {
        double q = Math.exp(-1 / t);
        return 2 * q / ((1 - q) * (1 - q));
    }

    static void assertMatchesExactDistribution(String name, long[] samples, double t) {
        LongToDoubleFunction pmf = pmf(t);
        // The closed-form variance and the pmf summed numerically must agree, or the reference itself is wrong.
        assertEquals(variance(t), ChiSquareFit.evenMoment(pmf, 2), 1e-9 * variance(t));
        assertEquals(1.0, ChiSquareFit.evenMoment(pmf, 0), 1e-12);
        ChiSquareFit.Result fit = ChiSquareFit.ofSymmetric(name, samples, pmf);
        System.out.println(fit);
        assertTrue(fit.passes(), fit.toString());
        SampleMoments.of(samples).assertMatches(name, variance(t), ChiSquareFit.evenMoment(pmf, 4));
    }

    @ParameterizedTest(name = "t = {0}/{1}")
    @CsvSource({"1, 1, 21", "7, 2, 22", "1, 3, 23"})
    void matchesExactPmfMeanAndVariance(long num, long den, long seed) {
        DiscreteLaplace laplace = new DiscreteLaplace(new SplittableRandom(seed));
        long[] samples = new long[DRAWS];
        for (int i = 0; i < DRAWS; i++) {
            samples[i] = laplace.sample(num, den);
        }
        assertMatchesExactDistribution("discrete Laplace t = " + num + "/" + den, samples, (double) num / den);
    }

    @Test
    void tinyScaleIsAlwaysZero() {
        // P[X ≠ 0] = 2/(e^{1/t} + 1) ≈ 2e^{−1000} at t = 1/1000.
        DiscreteLaplace laplace = new DiscreteLaplace(new SplittableRandom(24));
        for (int i = 0; i < 10_000; i++) {
            assertEquals(0, laplace.sample(1, 1000));
            assertEquals(0, laplace.sample(1, Long.MAX_VALUE));
        }
    }

    @Test
    void largestScaleSamplesWithoutOverflow() {
        // At t = 2⁵⁶, |X|/t is close to Exponential(1): P[|X| > t/4] ≈ e^{−1/4} ≈ 0.78, P[|X| > 50t] ≈ e^{−50}.
        DiscreteLaplace laplace = new DiscreteLaplace(new SplittableRandom(25));
        double t = DiscreteLaplace.MAX_SCALE_NUMERATOR;
        int beyondQuarter = 0;
        for (int i = 0; i < 1000; i++) {
            long x = laplace.sample(DiscreteLaplace.MAX_SCALE_NUMERATOR, 1);
            assertTrue(Math.abs((double) x) < 50 * t, "sample " + x);
            beyondQuarter += Math.abs((double) x) > t / 4 ? 1 : 0;
        }
        // Binomial(1000, 0.78): mean 779, standard deviation 13.
        assertTrue(beyondQuarter > 720 && beyondQuarter < 840, beyondQuarter + " of 1000 beyond t/4");
    }

    @Test
    void refusesScalesOutsideTheSupportedRange() {
        DiscreteLaplace laplace = new DiscreteLaplace(new SplittableRandom(26));
        assertThrows(IllegalArgumentException.class, () -> laplace.sample(0, 1));
        assertThrows(IllegalArgumentException.class, () -> laplace.sample(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> laplace.sample(1, 0));
        assertThrows(IllegalArgumentException.class, () -> laplace.sample(1, -3));
        assertThrows(IllegalArgumentException.class, () -> laplace.sample(DiscreteLaplace.MAX_SCALE_NUMERATOR + 1, 1));
        assertThrows(IllegalArgumentException.class, () -> laplace.sample(Long.MAX_VALUE, 1));
    }

    @Test
    void sameSeedGivesSameSamples() {
        long[] first = draw(new DiscreteLaplace(new SplittableRandom(27)), 500);
        long[] second = draw(new DiscreteLaplace(new SplittableRandom(27)), 500);
        assertArrayEquals(first, second);
    }

    @Test
    void secureSamplerDraws() {
        long[] samples = draw(DiscreteLaplace.secure(), 1000);
        // All 1000 equal has probability below 0.47^1000 at t = 1.
        assertTrue(java.util.Arrays.stream(samples).distinct().count() > 1);
    }

    private static long[] draw(DiscreteLaplace laplace, int n) {
        long[] samples = new long[n];
        for (int i = 0; i < n; i++) {
            samples[i] = laplace.sample(1, 1);
        }
        return samples;
    }
}
