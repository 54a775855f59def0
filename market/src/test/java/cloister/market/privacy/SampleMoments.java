package cloister.market.privacy;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sample mean and variance of integer samples, checked against a distribution with mean 0, variance V and fourth
 * moment μ₄. By the central limit theorem the sample mean has standard error √(V/n) and the sample variance
 * √((μ₄ − V²)/n); both are accepted within {@link #Z} standard errors (two-sided probability of a false failure about
 * 6·10⁻⁵ each).
 */
record SampleMoments(int n, double mean, double variance) {
    static final double Z = 4.0;

    static SampleMoments of(long[] samples) {
        double sum = 0;
        for (long x : samples) {
            sum += x;
        }
        double mean = sum / samples.length;
        double squares = 0;
        for (long x : samples) {
            squares += (x - mean) * (x - mean);
        }
        return new SampleMoments(samples.length, mean, squares / (samples.length - 1));
    }

    void assertMatches(String name, double exactVariance, double exactFourthMoment) {
        double meanError = Math.sqrt(exactVariance / n);
        double varianceError = Math.sqrt((exactFourthMoment - exactVariance * exactVariance) / n);
        String report = String.format("%s: mean %.4f (±%.4f), variance %.4f vs exact %.4f (±%.4f)", name, mean,
                Z * meanError, variance, exactVariance, Z * varianceError);
        System.out.println(report);
        assertTrue(Math.abs(mean) <= Z * meanError, report);
        assertTrue(Math.abs(variance - exactVariance) <= Z * varianceError, report);
    }
}
