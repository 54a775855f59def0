package cloister.market.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.market.data.Schema;
import cloister.market.privacy.Epsilon;
import cloister.market.sql.GuardedQuery;
import cloister.market.sql.GuardedSql;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The survey example end to end, and a size check (prints timings; asserts behaviour only). */
class SurveyAnalysisTest {
    static final Schema SURVEY = Schema.parse("age_band:text,income:real[0,250000],age:int[0,120]");
    static final String EXAMPLE = "SELECT age_band, COUNT(*), AVG(income) FROM survey GROUP BY age_band";

    static String band(long age) {
        return age < 18 ? "under_18" : age < 30 ? "18-29" : age < 45 ? "30-44" : age < 60 ? "45-59" : age < 75 ? "60-74" : "75+";
    }

    /** {@code owners} people, one record each, plus 4 under-18s (fewer than k = 10). */
    static List<OwnerRows> survey(int owners, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<OwnerRows> data = new ArrayList<>();
        for (int i = 0; i < owners + 4; i++) {
            long age = i < owners ? 18 + random.nextInt(73) : 16;
            double income = 20_000 + age * 600 + random.nextDouble(-15_000, 15_000) + (random.nextInt(100) == 0 ? 400_000 : 0);
            data.add(new OwnerRows(AnalysisEngineTest.owner(i), List.<Object[]>of(new Object[] {band(age), income, age})));
        }
        return data;
    }

    @Test
    void surveyExampleOverThreeThousandOwners() {
        List<OwnerRows> data = survey(3000, 42);
        // What an unguarded database would say, with the same clamping.
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, Double> sums = new TreeMap<>();
        for (OwnerRows o : data) {
            Object[] r = o.rows().iterator().next();
            counts.computeIfAbsent((String) r[0], b -> new long[1])[0]++;
            sums.merge((String) r[0], Math.min(250_000, (Double) r[1]), Double::sum);
        }
        GuardedQuery q = GuardedSql.check(EXAMPLE, SURVEY).query();
        AnalysisResult exact = new AnalysisEngine(AnalysisEngineTest.LIMITS, TestNoise.ZERO)
                .analyse(q, SURVEY, data, PrivacyPolicy.ONE_RECORD_PER_OWNER, Epsilon.of("1")).result();
        AnalysisResult noisy = new AnalysisEngine(AnalysisEngineTest.LIMITS, TestNoise.seeded(1))
                .analyse(q, SURVEY, data, PrivacyPolicy.ONE_RECORD_PER_OWNER, Epsilon.of("1")).result();
        System.out.println("exact:\n" + exact.table() + "noisy (ε = 1):\n" + noisy.table());

        assertEquals(List.of("age_band", "count(*)", "avg(income)"), noisy.columns());
        assertEquals(1, noisy.suppressedGroups(), "the 4 under-18s are fewer than k = 10");
        assertEquals(3000, noisy.ownersCounted());
        assertEquals(Epsilon.of("1"), noisy.epsilonSpent());
        assertEquals(5, noisy.rows().size());
        for (int g = 0; g < 5; g++) {
            List<Object> e = exact.rows().get(g);
            List<Object> n = noisy.rows().get(g);
            String band = (String) e.get(0);
            assertEquals(band, n.get(0));
            long trueCount = counts.get(band)[0];
            double trueAvg = sums.get(band) / trueCount;
            assertEquals(trueCount, (Long) e.get(1));
            assertEquals(trueAvg, (Double) e.get(2), 0.05, "the 0.1 grid is the only error without noise");
            // Count noise has scale 1 / 0.5; the average's sum noise 250000 / 0.25 over ~600 people.
            assertTrue(Math.abs((Long) n.get(1) - trueCount) <= 30, band + " count " + n.get(1) + " vs " + trueCount);
            assertTrue(Math.abs((Double) n.get(2) - trueAvg) <= 20_000, band + " avg " + n.get(2) + " vs " + trueAvg);
        }
    }

    /**
     * The engine with the production noise (exact discrete Laplace from SecureRandom): the released values are within
     * bounds that noise exceeds with probability about 10⁻⁸ per run, so this is not flaky although the noise is real.
     * A count's noise has scale 2 (ε 0.5): off by more than 40 with probability e⁻²⁰ per band. An average's sum noise has
     * scale 10⁶ (ε 0.25) over at least 510 people per band (seed 43): off by more than 40,000 needs noise beyond 20
     * scales, e⁻²⁰·⁴ per band (the count noise under it moves an average of ~10⁵ by about 800 per unit of its scale 4).
     * The earlier bounds, 30 and 20,000, failed about 1 run in 18,000.
     */
    @Test
    void theSurveyWithTheRealExactLaplaceNoise() {
        List<OwnerRows> data = survey(3000, 43);
        GuardedQuery q = GuardedSql.check(EXAMPLE, SURVEY).query();
        AnalysisResult exact = new AnalysisEngine(AnalysisEngineTest.LIMITS, TestNoise.ZERO)
                .analyse(q, SURVEY, data, PrivacyPolicy.ONE_RECORD_PER_OWNER, Epsilon.of("1")).result();
        AnalysisResult real = new AnalysisEngine(AnalysisEngineTest.LIMITS, cloister.market.privacy.DiscreteLaplaceNoise.secure())
                .analyse(q, SURVEY, data, PrivacyPolicy.ONE_RECORD_PER_OWNER, Epsilon.of("1")).result();
        assertEquals(exact.columns(), real.columns());
        assertEquals(exact.rows().size(), real.rows().size());
        assertEquals(1, real.suppressedGroups());
        boolean anyDifferent = false;
        for (int g = 0; g < exact.rows().size(); g++) {
            List<Object> e = exact.rows().get(g);
            List<Object> n = real.rows().get(g);
            assertEquals(e.get(0), n.get(0));
            assertTrue(Math.abs((Long) n.get(1) - (Long) e.get(1)) <= 40, "count " + n.get(1) + " vs " + e.get(1));
            assertTrue(Math.abs((Double) n.get(2) - (Double) e.get(2)) <= 40_000, "avg " + n.get(2) + " vs " + e.get(2));
            double avg = (Double) n.get(2);
            assertTrue(avg >= 0 && avg <= 250_000, "an average stays inside the declared bounds");
            anyDifferent |= !n.get(2).equals(e.get(2));
        }
        assertTrue(anyDifferent, "noise was added");
    }

    @Test
    void aMillionRowsLoadAndRunInSeconds() {
        long t0 = System.nanoTime();
        SplittableRandom random = new SplittableRandom(3);
        String[] bands = {"18-29", "30-44", "45-59", "60-74", "75+"};
        List<OwnerRows> data = new ArrayList<>();
        int owners = 100_000;
        for (int i = 0; i < owners; i++) {
            List<Object[]> rows = new ArrayList<>(10);
            for (int j = 0; j < 10; j++) {
                long age = 18 + random.nextInt(90);
                rows.add(new Object[] {bands[random.nextInt(5)], random.nextDouble(0, 300_000), age});
            }
            data.add(new OwnerRows(AnalysisEngineTest.owner(i), rows));
        }
        long t1 = System.nanoTime();
        GuardedQuery q = GuardedSql.check("SELECT age_band, COUNT(*) AS n, AVG(income), MEDIAN(age), SUM(income) FROM survey "
                + "WHERE income > 1000 GROUP BY age_band ORDER BY n DESC", SURVEY).query();
        AnalysisResult r = new AnalysisEngine(new AnalysisLimits(2, 10_000, 1024), TestNoise.seeded(5))
                .analyse(q, SURVEY, data, new PrivacyPolicy(10, 10, 5), Epsilon.of("1")).result();
        long t2 = System.nanoTime();
        System.out.printf(Locale.ROOT, "1,000,000 rows of %d owners: generated in %.2f s, analysed (load, caps, aggregates, noise) in %.2f s%n%s",
                owners, (t1 - t0) / 1e9, (t2 - t1) / 1e9, r.table());
        assertEquals(5, r.rows().size());
        assertEquals(owners, r.ownersCounted());
        long total = r.rows().stream().mapToLong(x -> (Long) x.get(1)).sum();
        assertTrue(Math.abs(total - 996_700) < 5_000, "about 99.67% of the rows have income > 1000: " + total);
    }
}
