package cloister.market.analysis;

import cloister.market.privacy.Epsilon;
import cloister.market.privacy.IntegerNoise;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Noise sources for tests: none, recorded, and a seeded two-sided geometric (discrete Laplace) sampler. */
final class TestNoise {
    private TestNoise() {}

    static final IntegerNoise ZERO = (sensitivity, epsilon) -> 0;

    /** Returns 0 and records each call's sensitivity and ε. */
    static final class Recording implements IntegerNoise {
        record Call(long sensitivity, Epsilon epsilon) {}

        final List<Call> calls = new ArrayList<>();

        @Override
        public long noise(long sensitivity, Epsilon epsilon) {
            calls.add(new Call(sensitivity, epsilon));
            return 0;
        }
    }

    /**
     * Seeded, in floating point (tests only): the difference of two geometric variables with ratio
     * exp(-ε/Δ), i.e. discrete Laplace with scale Δ/ε.
     */
    static IntegerNoise seeded(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return (sensitivity, epsilon) -> {
            if (sensitivity < 1 || epsilon.micros() <= 0) {
                throw new IllegalArgumentException("sensitivity ≥ 1 and ε > 0");
            }
            double scale = sensitivity / epsilon.value();
            return geometric(random, scale) - geometric(random, scale);
        };
    }

    private static long geometric(SplittableRandom random, double scale) {
        double u = 1 - random.nextDouble(); // (0, 1]
        return (long) Math.floor(-Math.log(u) * scale);
    }
}
