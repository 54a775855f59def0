package cloister.market.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.market.privacy.DiscreteLaplaceNoise;
import cloister.market.privacy.Epsilon;
import cloister.market.privacy.IntegerNoise;
import cloister.proto.DataMarketCall;
import cloister.proto.MalformedException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The listing preview: exact without noise, the documented sensitivities and ε split, canonical bytes within the chain's limit. */
class DatasetPreviewTest {
    private static final Schema SCHEMA = Schema.parse("age_band:text,income:real[0,250000],age:int[0,120]");
    private static final IntegerNoise NONE = (sensitivity, epsilon) -> 0;

    private static List<Object[]> rows() {
        return List.of(new Object[] {"18-29", 50_000.0, 20L}, new Object[] {"30-44", 300_000.0, 40L}, new Object[] {"30-44", null, 35L},
                new Object[] {null, 100_000.0, null});
    }

    @Test
    void withoutNoiseItIsTheClampedTruth() {
        DatasetPreview p = DatasetPreview.compute(SCHEMA, rows(), Epsilon.of("0.1"), NONE);
        assertEquals(4, p.records());
        assertEquals(SCHEMA.hash(), p.schemaHash());
        assertEquals(100_000, p.epsilonMicros());
        assertEquals(List.of("income", "age"), p.columns().stream().map(DatasetPreview.ColumnSummary::column).toList(), "numeric columns only");
        DatasetPreview.ColumnSummary income = p.column("income").orElseThrow();
        assertEquals(3, income.count());
        assertEquals((50_000 + 250_000 + 100_000) / 3.0, income.mean().getAsDouble(), 250_000.0 / DatasetPreview.GRID, "300,000 is clamped to 250,000");
        DatasetPreview.ColumnSummary age = p.column("age").orElseThrow();
        assertEquals(3, age.count());
        assertEquals(95 / 3.0, age.mean().getAsDouble(), 120.0 / DatasetPreview.GRID);
    }

    @Test
    void releasesHaveTheDocumentedSensitivitiesAndShareTheEpsilon() {
        List<long[]> calls = new ArrayList<>();
        DatasetPreview.compute(SCHEMA, rows(), Epsilon.of("0.1"), (sensitivity, epsilon) -> {
            calls.add(new long[] {sensitivity, epsilon.micros()});
            return 0;
        });
        assertEquals(5, calls.size(), "the record count, and a count and a sum per numeric column");
        assertEquals(List.of(1L, 1000L, 1L, 1000L, 1L), calls.stream().map(c -> c[0]).toList());
        assertTrue(calls.stream().allMatch(c -> c[1] == 20_000), "ε 0.1 split five ways");
        assertThrows(IllegalArgumentException.class, () -> DatasetPreview.compute(SCHEMA, rows(), new Epsilon(4), NONE), "under a micro-ε each");
    }

    @Test
    void noiseNeverGivesNegativeCountsOrMeansOutsideTheBounds() {
        DatasetPreview low = DatasetPreview.compute(SCHEMA, rows(), Epsilon.of("0.1"), (s, e) -> -1_000_000);
        assertEquals(0, low.records());
        assertEquals(0, low.column("income").orElseThrow().count());
        assertEquals(OptionalDouble.empty(), low.column("income").orElseThrow().mean(), "no mean over a count of zero");
        DatasetPreview high = DatasetPreview.compute(SCHEMA, rows(), Epsilon.of("0.1"), (s, e) -> s == 1 ? 1 : 10_000_000);
        assertEquals(250_000.0, high.column("income").orElseThrow().mean().getAsDouble(), "clamped to the upper bound");
    }

    @Test
    void withRealNoiseAtABudgetsTenthItIsUseful() {
        Random r = new Random(3);
        List<Object[]> many = new ArrayList<>();
        double sum = 0;
        for (int i = 0; i < 20_000; i++) {
            double income = 20_000 + r.nextInt(150_000);
            sum += income;
            many.add(new Object[] {"x", income, (long) (18 + r.nextInt(60))});
        }
        DatasetPreview p = DatasetPreview.compute(SCHEMA, many, new Epsilon(DataMarketCall.previewEpsilon(1_000_000)), DiscreteLaplaceNoise.secure());
        // Real noise: the record count's ε is 0.1 / 5 = 0.02 (discrete Laplace, scale 50), so |noise| > 1000 has
        // probability 2·e^(−1001/50)/(1 + e^(−1/50)) ≈ 2·10⁻⁹ (a 500 bound failed about 1 run in 22,000).
        assertEquals(20_000, p.records(), 1000);
        assertEquals(sum / 20_000, p.column("income").orElseThrow().mean().getAsDouble(), 10_000);
    }

    @Test
    void bytesAreCanonicalAndFitTheChainsLimit() {
        DatasetPreview p = DatasetPreview.compute(SCHEMA, rows(), Epsilon.of("0.1"), DiscreteLaplaceNoise.secure());
        byte[] bytes = p.encode();
        assertEquals(p, DatasetPreview.decode(bytes));
        assertArrayEquals(bytes, DatasetPreview.decode(bytes).encode());
        Random random = new Random(5);
        for (int i = 0; i < 500; i++) {
            byte[] m = bytes.clone();
            m[random.nextInt(m.length)] ^= (byte) (1 + random.nextInt(255));
            try {
                DatasetPreview back = DatasetPreview.decode(m);
                assertArrayEquals(m, back.encode(), "whatever decodes re-encodes to the same bytes");
            } catch (MalformedException expected) {
                // refused: fine
            }
        }
        assertThrows(MalformedException.class, () -> DatasetPreview.decode(java.util.Arrays.copyOf(bytes, bytes.length + 1)));

        // The widest schema: 64 columns of the longest names, all numeric; the first 48 are summarised, within 4 KiB.
        StringBuilder spec = new StringBuilder();
        for (int i = 0; i < Schema.MAX_COLUMNS; i++) {
            spec.append(i == 0 ? "" : ",").append(String.format("c%062d", i)).append(":real[0,1]");
        }
        Schema wide = Schema.parse(spec.toString());
        Object[] row = new Object[Schema.MAX_COLUMNS];
        java.util.Arrays.fill(row, 0.5);
        DatasetPreview widest = DatasetPreview.compute(wide, List.<Object[]>of(row), Epsilon.of("10"), NONE);
        assertEquals(DatasetPreview.MAX_COLUMNS, widest.columns().size());
        assertTrue(widest.encode().length <= DataMarketCall.MAX_PREVIEW, widest.encode().length + " bytes");
        assertFalse(DatasetPreview.MAX_BYTES > DataMarketCall.MAX_PREVIEW);
    }
}
