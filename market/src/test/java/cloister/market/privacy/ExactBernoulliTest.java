package cloister.market.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Algorithm 1 and the uniform draws it rests on, against their exact probabilities (fixed-seed test generators). */
class ExactBernoulliTest {
    private static final int DRAWS = 100_000;
    /** Two-sided 0.001 point of the standard normal: a frequency is accepted within this many standard errors. */
    private static final double Z_TWO_SIDED_999 = 3.2905267314919255;

    @Test
    void uniformSmallBoundIsUniform() {
        ExactBernoulli exact = new ExactBernoulli(new SplittableRandom(11));
        long[] counts = new long[10];
        for (int i = 0; i < DRAWS; i++) {
            counts[(int) exact.uniform(10)]++;
        }
        double[] p = new double[10];
        Arrays.fill(p, 0.1);
        assertFits(ChiSquareFit.ofCounts("uniform below 10", counts, p));
    }

    /**
     * A bound of 3·2⁶⁰ needs 62 bits; reducing 62 random bits modulo the bound would put twice the mass on the first
     * third of the range. Rejection sampling keeps the six sixths equal.
     */
    @Test
    void uniformLargeBoundHasNoModuloBias() {
        ExactBernoulli exact = new ExactBernoulli(new SplittableRandom(12));
        long bound = 3L << 60;
        long sixth = bound / 6;
        long[] counts = new long[6];
        for (int i = 0; i < DRAWS; i++) {
            long u = exact.uniform(bound);
            assertTrue(u >= 0 && u < bound);
            counts[(int) (u / sixth)]++;
        }
        double[] p = new double[6];
        Arrays.fill(p, 1.0 / 6);
        assertFits(ChiSquareFit.ofCounts("uniform below 3·2^60", counts, p));
    }

    @Test
    void uniformBigIntegerBoundHasNoModuloBias() {
        ExactBernoulli exact = new ExactBernoulli(new SplittableRandom(13));
        BigInteger bound = BigInteger.valueOf(3).shiftLeft(100);
        BigInteger sixth = bound.divide(BigInteger.valueOf(6));
        long[] counts = new long[6];
        for (int i = 0; i < DRAWS; i++) {
            BigInteger u = exact.uniform(bound);
            assertTrue(u.signum() >= 0 && u.compareTo(bound) < 0);
            counts[u.divide(sixth).intValueExact()]++;
        }
        double[] p = new double[6];
        Arrays.fill(p, 1.0 / 6);
        assertFits(ChiSquareFit.ofCounts("uniform below 3·2^100", counts, p));
    }

    @Test
    void uniformEdgesAndRefusals() {
        ExactBernoulli exact = new ExactBernoulli(new SplittableRandom(14));
        assertEquals(0, exact.uniform(1));
        assertEquals(BigInteger.ZERO, exact.uniform(BigInteger.ONE));
        for (int i = 0; i < 1000; i++) {
            long u = exact.uniform(Long.MAX_VALUE);
            assertTrue(u >= 0 && u < Long.MAX_VALUE);
        }
        assertThrows(IllegalArgumentException.class, () -> exact.uniform(0));
        assertThrows(IllegalArgumentException.class, () -> exact.uniform(-5));
        assertThrows(IllegalArgumentException.class, () -> exact.uniform(BigInteger.ZERO));
    }

    @Test
    void bernoulliOfARatioHasThatFrequency() {
        ExactBernoulli exact = new ExactBernoulli(new SplittableRandom(15));
        assertFrequency("Bernoulli(1/3)", 1.0 / 3, () -> exact.bernoulli(1, 3));
        assertFrequency("Bernoulli(1/3), BigInteger", 1.0 / 3,
                () -> exact.bernoulli(BigInteger.ONE.shiftLeft(80), BigInteger.valueOf(3).shiftLeft(80)));
        assertTrue(exact.bernoulli(5, 5));
        assertFalse(exact.bernoulli(0, 5));
        assertThrows(IllegalArgumentException.class, () -> exact.bernoulli(2, 1));
        assertThrows(IllegalArgumentException.class, () -> exact.bernoulli(-1, 2));
        assertThrows(IllegalArgumentException.class, () -> exact.bernoulli(0, 0));
        assertThrows(IllegalArgumentException.class, () -> exact.bernoulli(BigInteger.TWO, BigInteger.ONE));
    }

    @Test
    void bernoulliExpMinusHasFrequencyExpMinusGamma() {
        ExactBernoulli exact = new ExactBernoulli(new SplittableRandom(16));
        long[][] gammas = {{1, 3}, {1, 1}, {5, 2}, {10, 3}};
        for (long[] g : gammas) {
            assertFrequency("Bernoulli(exp(−" + g[0] + "/" + g[1] + "))", Math.exp(-(double) g[0] / g[1]),
                    () -> exact.bernoulliExpMinus(g[0], g[1]));
        }
    }

    @Test
    void bernoulliExpMinusOfBigRationalsHasFrequencyExpMinusGamma() {
        ExactBernoulli exact = new ExactBernoulli(new SplittableRandom(17));
        BigInteger den = BigInteger.ONE.shiftLeft(71);
        assertFrequency("Bernoulli(exp(−5·2^70/2^71))", Math.exp(-2.5),
                () -> exact.bernoulliExpMinus(BigInteger.valueOf(5).shiftLeft(70), den));
        assertFrequency("Bernoulli(exp(−(2^71+2^69)/2^71))", Math.exp(-1.25),
                () -> exact.bernoulliExpMinus(den.add(BigInteger.ONE.shiftLeft(69)), den));
    }

    @Test
    void bernoulliExpMinusOfZeroIsAlwaysTrueAndOfLargeGammaAlmostNever() {
        ExactBernoulli exact = new ExactBernoulli(new SplittableRandom(18));
        int largeHits = 0;
        for (int i = 0; i < 10_000; i++) {
            assertTrue(exact.bernoulliExpMinus(0, 7));
            assertTrue(exact.bernoulliExpMinus(BigInteger.ZERO, BigInteger.ONE.shiftLeft(90)));
            // exp(−40) ≈ 4·10⁻¹⁸; exp(−10¹⁸) is 0 for all purposes, and its loop stops at the first failed exp(−1).
            largeHits += exact.bernoulliExpMinus(40, 1) ? 1 : 0;
            largeHits += exact.bernoulliExpMinus(1_000_000_000_000_000_000L, 1) ? 1 : 0;
            largeHits += exact.bernoulliExpMinus(BigInteger.TEN.pow(40), BigInteger.ONE) ? 1 : 0;
        }
        assertEquals(0, largeHits);
    }

    @Test
    void bernoulliExpMinusRefusesNegativeGammaAndZeroDenominator() {
        ExactBernoulli exact = new ExactBernoulli(new SplittableRandom(19));
        assertThrows(IllegalArgumentException.class, () -> exact.bernoulliExpMinus(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> exact.bernoulliExpMinus(1, 0));
        assertThrows(IllegalArgumentException.class, () -> exact.bernoulliExpMinus(BigInteger.ONE.negate(), BigInteger.ONE));
        assertThrows(IllegalArgumentException.class, () -> exact.bernoulliExpMinus(BigInteger.ONE, BigInteger.ZERO));
    }

    @Test
    void refusesANullGenerator() {
        assertThrows(NullPointerException.class, () -> new ExactBernoulli(null));
    }

    private static void assertFits(ChiSquareFit.Result fit) {
        System.out.println(fit);
        assertTrue(fit.passes(), fit.toString());
    }

    /** Binomial frequency within {@link #Z_TWO_SIDED_999} standard errors of p (a two-sided test at 0.001). */
    private static void assertFrequency(String name, double p, java.util.function.BooleanSupplier draw) {
        int hits = 0;
        for (int i = 0; i < DRAWS; i++) {
            hits += draw.getAsBoolean() ? 1 : 0;
        }
        double expected = DRAWS * p;
        double z = (hits - expected) / Math.sqrt(DRAWS * p * (1 - p));
        String report = String.format("%s: %d of %d, expected %.1f, z = %.2f", name, hits, DRAWS, expected, z);
        System.out.println(report);
        assertTrue(Math.abs(z) < Z_TWO_SIDED_999, report);
    }
}
