package cloister.market.privacy;

import java.util.function.LongToDoubleFunction;

/**
 * Pearson chi-square goodness of fit of integer samples against an exact pmf, at significance 0.001.
 *
 * <p>Bins: every integer whose expected count is at least 5 gets its own bin; the rest of each tail is one bin, and if
 * that tail's expected count is below 5 it absorbs the outermost single-value bin. The critical value comes from the
 * Wilson–Hilferty approximation χ²_{k,1−α} ≈ k(1 − 2/9k + z_{1−α}·√(2/9k))³, which {@link ChiSquareFitTest} checks
 * against tabulated values (within 1.2 % for k ≥ 5, and slightly above the true value, i.e. a marginally lenient test).
 * Floating point is fine here: this is the test's exact reference, not the sampling path.
 */
final class ChiSquareFit {
    /** Upper 0.001 quantile of the standard normal distribution. */
    static final double Z_999 = 3.090232306167813;

    private ChiSquareFit() {}

    record Result(String name, double statistic, int degreesOfFreedom, double critical) {
        boolean passes() {
            return statistic < critical;
        }

        @Override
        public String toString() {
            return String.format("%s: χ² = %.2f, df = %d, critical(0.001) = %.2f", name, statistic, degreesOfFreedom,
                    critical);
        }
    }

    /** Wilson–Hilferty approximation of the chi-square critical value at significance 0.001. */
    static double critical(int degreesOfFreedom) {
        double h = 2.0 / (9.0 * degreesOfFreedom);
        double c = 1.0 - h + Z_999 * Math.sqrt(h);
        return degreesOfFreedom * c * c * c;
    }

    /** The statistic for observed counts against expected probabilities (which must sum to 1). */
    static Result ofCounts(String name, long[] observed, double[] probabilities) {
        long n = 0;
        for (long o : observed) {
            n += o;
        }
        double sum = 0;
        double statistic = 0;
        for (int i = 0; i < observed.length; i++) {
            double expected = n * probabilities[i];
            if (expected < 5) {
                throw new IllegalArgumentException("bin " + i + " expects " + expected + " < 5");
            }
            statistic += (observed[i] - expected) * (observed[i] - expected) / expected;
            sum += probabilities[i];
        }
        if (Math.abs(sum - 1) > 1e-9) {
            throw new IllegalArgumentException("probabilities sum to " + sum);
        }
        int df = observed.length - 1;
        return new Result(name, statistic, df, critical(df));
    }

    /** Fit of samples from a pmf on ℤ that is symmetric about 0 and non-increasing in |x|. */
    static Result ofSymmetric(String name, long[] samples, LongToDoubleFunction pmf) {
        int n = samples.length;
        long edge = 0;
        while (n * pmf.applyAsDouble(edge + 1) >= 5) {
            edge++;
        }
        if (n * tail(pmf, edge) < 5) {
            edge--;
        }
        if (edge < 1) {
            throw new IllegalArgumentException("too few samples for a meaningful fit");
        }
        int bins = (int) (2 * edge + 3);
        long[] observed = new long[bins];
        for (long x : samples) {
            int bin = x < -edge ? 0 : x > edge ? bins - 1 : (int) (x + edge + 1);
            observed[bin]++;
        }
        double[] probabilities = new double[bins];
        probabilities[0] = tail(pmf, edge);
        probabilities[bins - 1] = probabilities[0];
        for (long x = -edge; x <= edge; x++) {
            probabilities[(int) (x + edge + 1)] = pmf.applyAsDouble(x);
        }
        return ofCounts(name, observed, probabilities);
    }

    /** P[X &gt; edge], summed term by term until the terms no longer change the sum. */
    static double tail(LongToDoubleFunction pmf, long edge) {
        double sum = 0;
        for (long x = edge + 1; ; x++) {
            double term = pmf.applyAsDouble(x);
            if (sum + term == sum) {
                return sum;
            }
            sum += term;
        }
    }

    /** E[X^power] for a pmf on ℤ symmetric about 0 and an even power, summed outward until the terms vanish. */
    static double evenMoment(LongToDoubleFunction pmf, int power) {
        if (power % 2 != 0) {
            throw new IllegalArgumentException("odd moments of a symmetric pmf are 0");
        }
        double sum = pmf.applyAsDouble(0) * (power == 0 ? 1 : 0);
        for (long x = 1; ; x++) {
            double term = 2 * Math.pow(x, power) * pmf.applyAsDouble(x);
            if (term == 0 || (x > 1 && sum + term == sum)) {
                return sum;
            }
            sum += term;
        }
    }
}
