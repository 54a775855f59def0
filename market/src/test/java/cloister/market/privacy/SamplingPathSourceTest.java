package cloister.market.privacy;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Guards the one property the statistical tests cannot see: no floating point in the sampling path (Mironov, CCS
 * 2012). A double would still pass a chi-square test while leaking through its rounding.
 */
class SamplingPathSourceTest {
    private static final List<String> SAMPLING_PATH =
            List.of("ExactBernoulli.java", "DiscreteLaplace.java", "DiscreteGaussian.java", "DiscreteLaplaceNoise.java");
    private static final Pattern FLOATING_POINT =
            Pattern.compile("\\b(double|float|Double|Float|StrictMath)\\b|Math\\.(exp|log|pow|sqrt|expm1|log1p)\\b"
                    + "|\\d\\.\\d|\\d[eE][+-]?\\d|\\d[dDfF]\\b");
    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\n]*", Pattern.DOTALL);

    @Test
    void samplingPathHasNoFloatingPoint() throws IOException {
        Path dir = Path.of("src/main/java/cloister/market/privacy");
        for (String file : SAMPLING_PATH) {
            String code = COMMENTS.matcher(Files.readString(dir.resolve(file))).replaceAll(" ");
            var matcher = FLOATING_POINT.matcher(code);
            assertFalse(matcher.find(), () -> file + " uses floating point: " + matcher.group());
        }
    }
}
