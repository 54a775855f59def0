package cloister.market.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The ε-DP mechanism: scale Δ/ε from micro-ε exactly, and refusals. */
class DiscreteLaplaceNoiseTest {
    private static final int DRAWS = 100_000;

    @Test
    void scaleIsSensitivityOverEpsilonReduced() {
        // Δ = 3, ε = 0.5 = 500 000 micro-ε: t = 3·10⁶/500 000 = 6/1, so the same generator gives the same draws as
        // sampling Lap_ℤ(6/1) directly.
        DiscreteLaplaceNoise noise = new DiscreteLaplaceNoise(new DiscreteLaplace(new SplittableRandom(41)));
        DiscreteLaplace direct = new DiscreteLaplace(new SplittableRandom(41));
        long[] viaNoise = new long[1000];
        long[] viaDirect = new long[1000];
        for (int i = 0; i < 1000; i++) {
            viaNoise[i] = noise.noise(3, Epsilon.of("0.5"));
            viaDirect[i] = direct.sample(6, 1);
        }
        assertArrayEquals(viaDirect, viaNoise);
    }

    @Test
    void noiseForSensitivity3AndEpsilonHalfHasTheExactDistribution() {
        DiscreteLaplaceNoise noise = new DiscreteLaplaceNoise(new DiscreteLaplace(new SplittableRandom(42)));
        Epsilon epsilon = Epsilon.of("0.5");
        long[] samples = new long[DRAWS];
        for (int i = 0; i < DRAWS; i++) {
            samples[i] = noise.noise(3, epsilon);
        }
        DiscreteLaplaceTest.assertMatchesExactDistribution("noise Δ = 3, ε = 0.5", samples, 6.0);
    }

    @Test
    void refusesBadInput() {
        DiscreteLaplaceNoise noise = new DiscreteLaplaceNoise(new DiscreteLaplace(new SplittableRandom(43)));
        Epsilon one = Epsilon.of("1");
        assertThrows(IllegalArgumentException.class, () -> noise.noise(0, one));
        assertThrows(IllegalArgumentException.class, () -> noise.noise(-5, one));
        assertThrows(IllegalArgumentException.class, () -> noise.noise(1, new Epsilon(0)));
        assertThrows(NullPointerException.class, () -> noise.noise(1, null));
        // Reduced scale numerator beyond 2⁵⁶ ≈ 7.2·10¹⁶: Δ = 2⁵⁶ + 1 at ε = 1 (t = Δ), Δ = 10¹¹ at ε = 10⁻⁶
        // (t = Δ·10⁶), or Long.MAX_VALUE·10⁶ (which does not even fit a long).
        assertThrows(IllegalArgumentException.class, () -> noise.noise((1L << 56) + 1, one));
        assertThrows(IllegalArgumentException.class, () -> noise.noise(100_000_000_000L, Epsilon.of("0.000001")));
        assertThrows(IllegalArgumentException.class, () -> noise.noise(Long.MAX_VALUE, Epsilon.of("0.000001")));
        assertThrows(NullPointerException.class, () -> new DiscreteLaplaceNoise(null));
    }

    @Test
    void acceptsTheEdgesOfTheSupportedRange() {
        DiscreteLaplaceNoise noise = new DiscreteLaplaceNoise(new DiscreteLaplace(new SplittableRandom(44)));
        noise.noise(1L << 56, Epsilon.of("1"));
        noise.noise(70_000_000_000L, Epsilon.of("0.000001"));
        // A large ε with Δ = 1: t = 1/10⁶, essentially always 0.
        for (int i = 0; i < 1000; i++) {
            assertTrue(noise.noise(1, new Epsilon(Long.MAX_VALUE)) == 0);
        }
        // Δ·10⁶ overflows a long but reduces: Δ = 2⁶² at ε = 2⁶² micro-ε is t = 10⁶.
        noise.noise(1L << 62, new Epsilon(1L << 62));
    }

    @Test
    void secureNoiseDraws() {
        IntegerNoise noise = DiscreteLaplaceNoise.secure();
        long[] samples = new long[1000];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = noise.noise(1, Epsilon.of("1"));
        }
        assertTrue(java.util.Arrays.stream(samples).distinct().count() > 1);
    }
}
