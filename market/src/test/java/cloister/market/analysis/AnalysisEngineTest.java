package cloister.market.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.crypto.AccountId;
import cloister.market.data.Schema;
import cloister.market.privacy.Epsilon;
import cloister.market.privacy.IntegerNoise;
import cloister.market.sql.GuardedQuery;
import cloister.market.sql.GuardedSql;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnalysisEngineTest {
    static final Schema SCHEMA = Schema.parse("band:text,income:real[0,1000],score:int[0,10]");
    static final AnalysisLimits LIMITS = new AnalysisLimits(1, 10_000, 256);

    static AccountId owner(int i) {
        byte[] key = new byte[32];
        key[0] = (byte) (i >>> 24);
        key[1] = (byte) (i >>> 16);
        key[2] = (byte) (i >>> 8);
        key[3] = (byte) i;
        return AccountId.of(key);
    }

    static OwnerRows rows(int owner, Object[]... rows) {
        return new OwnerRows(owner(owner), Arrays.asList(rows));
    }

    static Object[] row(Object... values) {
        return values;
    }

    /**
     * Hand-computed with k = 3, 2 rows per owner per group, 1 group per owner:
     * <pre>
     * x: o1 (100, 3) (5000→1000, 9) [third row (50, 10) over the row cap]; o2 (200, 5); o3 (-10→0, 12→10); o6 (NULL, 7)
     *    [o7's x row is over its group cap: its first group is y]
     *    → 4 owners, 5 rows, 4 incomes, sum 1300, avg 325, scores 3 5 7 9 10
     * y: o4 (300, 1); o5 (400, 2); o7 (500, 4) → 3 owners, 3 rows, sum 1200, avg 400, scores 1 2 4
     * z: o8, o9 → 2 owners &lt; k: suppressed
     * </pre>
     */
    static List<OwnerRows> handDataset() {
        return List.of(
                rows(1, row("x", 100.0, 3L), row("x", 5000.0, 9L), row("x", 50.0, 10L)),
                rows(2, row("x", 200.0, 5L)),
                rows(3, row("x", -10.0, 12L)),
                rows(4, row("y", 300.0, 1L)),
                rows(5, row("y", 400.0, 2L)),
                rows(6, row("x", null, 7L)),
                rows(7, row("y", 500.0, 4L), row("x", 600.0, 0L)),
                rows(8, row("z", 700.0, 8L)),
                rows(9, row("z", 800.0, 8L)));
    }

    static final PrivacyPolicy HAND_POLICY = new PrivacyPolicy(3, 2, 1);

    static GuardedQuery query(String sql, Schema schema) {
        return GuardedSql.check(sql, schema).query();
    }

    static AnalysisResult run(String sql, List<OwnerRows> data, PrivacyPolicy policy, String epsilon, IntegerNoise noise) {
        return new AnalysisEngine(LIMITS, noise).analyse(query(sql, SCHEMA), SCHEMA, data, policy, Epsilon.of(epsilon)).result();
    }

    @Test
    void zeroNoiseGivesTheHandComputedAggregates() {
        AnalysisResult r = run("SELECT band, COUNT(*) AS n, COUNT(income) AS with_income, SUM(income) AS total, AVG(income) AS mean, "
                + "MIN(score), MAX(score), MEDIAN(score), QUANTILE(score, 0.2) AS p20 FROM survey GROUP BY band",
                handDataset(), HAND_POLICY, "80", TestNoise.ZERO);
        assertEquals(List.of("band", "n", "with_income", "total", "mean", "min(score)", "max(score)", "median(score)", "p20"),
                r.columns());
        assertEquals(List.of(
                List.of("x", 5L, 4L, 1300.0, 325.0, 3L, 10L, 7L, 3L),
                List.of("y", 3L, 3L, 1200.0, 400.0, 1L, 4L, 2L, 1L)), r.rows());
        assertEquals(1, r.suppressedGroups());
        assertEquals(7, r.ownersCounted());
        assertEquals(List.of(owner(1), owner(2), owner(3), owner(4), owner(5), owner(6), owner(7)), r.contributors());
        assertEquals(Epsilon.of("80"), r.epsilonSpent());
    }

    @Test
    void withoutGroupByTheWholeScopeIsOneGroupAndTheGroupCapDoesNotApply() {
        // Row cap 2 per owner over everything: o1 keeps 100 and 1000; o7 keeps 500 and 600.
        AnalysisResult r = run("SELECT COUNT(*), SUM(income), MAX(score) AS top FROM survey", handDataset(), HAND_POLICY, "3",
                TestNoise.ZERO);
        assertEquals(List.of(List.of(11L, 100.0 + 1000 + 200 + 0 + 300 + 400 + 500 + 600 + 700 + 800, 10L)), r.rows());
        assertEquals(0, r.suppressedGroups());
        assertEquals(9, r.ownersCounted());
    }

    @Test
    void whereFiltersFirstWithLiteralsBoundAsData() {
        List<OwnerRows> data = new ArrayList<>(handDataset());
        data.add(rows(10, row("x'); DROP TABLE __data; --", 1.0, 1L)));
        data.add(rows(11, row("O'Brien", 2.0, 1L)));
        PrivacyPolicy k1 = new PrivacyPolicy(1, 2, 1);
        assertEquals(List.of(List.of(1L)), run("SELECT COUNT(*) FROM survey WHERE band = 'x''); DROP TABLE __data; --'",
                data, k1, "1", TestNoise.ZERO).rows());
        assertEquals(List.of(List.of(1L)), run("SELECT COUNT(*) FROM survey WHERE band IN ('O''Brien')", data, k1, "1",
                TestNoise.ZERO).rows());
        // Clamped values are what WHERE sees: o1's 5000 is 1000, o3's -10 is 0.
        assertEquals(List.of(List.of(2L)), run("SELECT COUNT(*) FROM survey WHERE income >= 1000 OR income BETWEEN -5 AND 0",
                data, k1, "1", TestNoise.ZERO).rows());
        assertEquals(List.of(List.of(1L)), run("SELECT COUNT(*) FROM survey WHERE income IS NULL", data, k1, "1",
                TestNoise.ZERO).rows());
        // NOT, NOT IN, NOT BETWEEN and parentheses: band x rows whose score is not in 3..9 → o1's third row (50, 10), o3 (10)
        // and o7 (600, 0): WHERE runs before the caps, so with its y row filtered out x is o7's first group.
        assertEquals(List.of(List.of(3L)), run("SELECT COUNT(*) FROM survey WHERE band = 'x' AND NOT (score BETWEEN 3 AND 9) "
                + "AND band NOT IN ('y', 'z')", data, new PrivacyPolicy(1, 3, 1), "1", TestNoise.ZERO).rows());
    }

    @Test
    void groupsBelowKAreSuppressedAndOneOwnerInSeveralEntriesCountsOnce() {
        List<OwnerRows> data = List.of(rows(1, row("x", 1.0, 1L)), rows(1, row("x", 2.0, 2L)), rows(2, row("x", 3.0, 3L)));
        AnalysisResult r = run("SELECT band, COUNT(*) FROM survey GROUP BY band", data, new PrivacyPolicy(3, 5, 1), "1",
                TestNoise.ZERO);
        assertEquals(List.of(), r.rows());
        assertEquals(1, r.suppressedGroups());
        assertEquals(0, r.ownersCounted());
        // Two distinct owners make k = 2; owner 1's two entries share one row cap of 1.
        r = run("SELECT band, COUNT(*), SUM(income) FROM survey GROUP BY band", data, new PrivacyPolicy(2, 1, 1), "1", TestNoise.ZERO);
        assertEquals(List.of(List.of("x", 2L, 4.0)), r.rows());
        // Without GROUP BY an empty scope is one suppressed group.
        r = run("SELECT COUNT(*) FROM survey WHERE score > 5", data, new PrivacyPolicy(1, 5, 1), "1", TestNoise.ZERO);
        assertEquals(List.of(), r.rows());
        assertEquals(1, r.suppressedGroups());
    }

    @Test
    void sensitivitiesAndEpsilonSplitFollowThePolicy() {
        TestNoise.Recording rec = new TestNoise.Recording();
        // 2 rows per owner per group, 3 groups per owner: C = 6. Four aggregates: ε 1 → 0.25 each; AVG halves.
        AnalysisResult r = run("SELECT band, COUNT(*), SUM(income), AVG(income), MEDIAN(score) FROM survey WHERE band = 'x' GROUP BY band",
                handDataset(), new PrivacyPolicy(1, 2, 3), "1", rec);
        assertEquals(1, r.rows().size());
        Epsilon quarter = Epsilon.of("0.25");
        Epsilon eighth = Epsilon.of("0.125");
        long sumSensitivity = 6 * 10_000_000L; // income in [0, 1000] is counted in units of 10⁻⁴
        List<TestNoise.Recording.Call> expected = new ArrayList<>(List.of(
                new TestNoise.Recording.Call(6, quarter),
                new TestNoise.Recording.Call(sumSensitivity, quarter),
                new TestNoise.Recording.Call(sumSensitivity, eighth),
                new TestNoise.Recording.Call(6, eighth)));
        for (int bucket = 0; bucket < 11; bucket++) { // score in [0, 10]: one bucket per value
            expected.add(new TestNoise.Recording.Call(6, quarter));
        }
        assertEquals(expected, rec.calls);
        assertEquals(Epsilon.of("1"), r.epsilonSpent());

        // Without GROUP BY one owner reaches one group: C = rows per owner.
        rec.calls.clear();
        run("SELECT COUNT(*) FROM survey", handDataset(), new PrivacyPolicy(1, 2, 3), "0.5", rec);
        assertEquals(List.of(new TestNoise.Recording.Call(2, Epsilon.of("0.5"))), rec.calls);

        // An uneven split rounds down to micro-ε and reports what was spent.
        rec.calls.clear();
        r = run("SELECT COUNT(*), COUNT(income), AVG(income) FROM survey", handDataset(), HAND_POLICY, "1", rec);
        assertEquals(Epsilon.of("0.999998"), r.epsilonSpent()); // 333333 + 333333 + 2 × 166666
    }

    @Test
    void realisticNoiseChangesValuesButKeepsCountsNonNegativeAndAveragesInBounds() {
        List<OwnerRows> data = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            data.add(rows(i, row("b" + (i % 6), (double) (i * 37 % 1200), (long) (i % 11))));
        }
        String sql = "SELECT band, COUNT(*) AS n, SUM(income) AS s, AVG(income) AS a, MIN(income) AS lo, MAX(income) AS hi, "
                + "MEDIAN(score) AS m FROM survey GROUP BY band";
        PrivacyPolicy policy = new PrivacyPolicy(5, 1, 1);
        AnalysisResult exact = run(sql, data, policy, "0.1", TestNoise.ZERO);
        AnalysisResult noisy = run(sql, data, policy, "0.1", TestNoise.seeded(7));
        assertEquals(exact.columns(), noisy.columns());
        assertEquals(6, noisy.rows().size());
        assertNotEquals(exact.rows(), noisy.rows());
        int changed = 0;
        for (int g = 0; g < 6; g++) {
            List<Object> e = exact.rows().get(g);
            List<Object> n = noisy.rows().get(g);
            assertEquals(e.get(0), n.get(0), "group keys are not noised");
            assertTrue((Long) n.get(1) >= 0, "count ≥ 0");
            assertTrue((Double) n.get(2) >= 0, "a sum of non-negative values is released ≥ 0");
            double avg = (Double) n.get(3);
            assertTrue(avg >= 0 && avg <= 1000, "average inside the bounds: " + avg);
            for (int c = 4; c <= 5; c++) {
                double v = (Double) n.get(c);
                assertTrue(v >= 0 && v <= 1000, "min/max inside the bounds: " + v);
            }
            long m = (Long) n.get(6);
            assertTrue(m >= 0 && m <= 10, "median inside the bounds: " + m);
            for (int c = 1; c < e.size(); c++) {
                if (!e.get(c).equals(n.get(c))) {
                    changed++;
                }
            }
        }
        assertTrue(changed >= 20, "noise changed only " + changed + " of 36 values");
        // Same seed, same release: the draw order is fixed.
        assertEquals(noisy, run(sql, data, policy, "0.1", TestNoise.seeded(7)));
    }

    @Test
    void orderByAppliesToNoisyValuesThenGroupColumns() {
        List<OwnerRows> data = new ArrayList<>();
        int o = 0;
        for (String band : List.of("a", "b", "c", "d")) {
            int n = band.equals("c") ? 5 : band.equals("b") ? 3 : 4;
            for (int i = 0; i < n; i++) {
                data.add(rows(o++, row(band, 1.0, 1L)));
            }
        }
        PrivacyPolicy k1 = new PrivacyPolicy(1, 1, 1);
        AnalysisResult r = run("SELECT band, COUNT(*) AS n FROM survey GROUP BY band ORDER BY n DESC", data, k1, "1", TestNoise.ZERO);
        assertEquals(List.of(List.of("c", 5L), List.of("a", 4L), List.of("d", 4L), List.of("b", 3L)), r.rows());
        r = run("SELECT COUNT(*) AS n, band FROM survey GROUP BY band ORDER BY band DESC", data, k1, "1", TestNoise.ZERO);
        assertEquals(List.of("d", "c", "b", "a"), r.rows().stream().map(x -> x.get(1)).toList());
        r = run("SELECT band, COUNT(*) FROM survey GROUP BY band", data, k1, "1", TestNoise.ZERO);
        assertEquals(List.of("a", "b", "c", "d"), r.rows().stream().map(x -> x.get(0)).toList());
    }

    @Test
    void nullGroupValuesAreAGroupOrderedFirst() {
        List<OwnerRows> data = List.of(rows(1, row(null, 1.0, 1L)), rows(2, row("a", 1.0, 1L)), rows(3, row(null, 2.0, 2L)));
        AnalysisResult r = run("SELECT band, COUNT(*) FROM survey GROUP BY band", data, new PrivacyPolicy(1, 1, 1), "1",
                TestNoise.ZERO);
        assertEquals(Arrays.asList(Arrays.asList(null, 2L), List.of("a", 1L)), r.rows());
    }

    @Test
    void refusesTooManyGroupsAndTooLittleEpsilon() {
        AnalysisEngine small = new AnalysisEngine(new AnalysisLimits(1, 1, 256), TestNoise.ZERO);
        AnalysisOutcome o = small.analyse(query("SELECT band, COUNT(*) FROM survey GROUP BY band", SCHEMA), SCHEMA, handDataset(),
                HAND_POLICY, Epsilon.of("1"));
        AnalysisOutcome.Refused r = assertInstanceOf(AnalysisOutcome.Refused.class, o);
        assertEquals(AnalysisRefusal.TOO_MANY_GROUPS, r.reason());
        assertTrue(r.message().contains("more than 1 groups"), r.message());

        AnalysisEngine engine = new AnalysisEngine(LIMITS, TestNoise.ZERO);
        o = engine.analyse(query("SELECT COUNT(*), AVG(income) FROM survey", SCHEMA), SCHEMA, handDataset(), HAND_POLICY,
                Epsilon.of("0.000003"));
        assertEquals(AnalysisRefusal.EPSILON_TOO_SMALL, assertInstanceOf(AnalysisOutcome.Refused.class, o).reason());
        // Group keys alone spend nothing.
        AnalysisResult keys = engine.analyse(query("SELECT band FROM survey GROUP BY band", SCHEMA), SCHEMA, handDataset(),
                HAND_POLICY, new Epsilon(0)).result();
        assertEquals(List.of(List.of("x"), List.of("y")), keys.rows());
        assertEquals(new Epsilon(0), keys.epsilonSpent());
    }

    @Test
    void rejectsRowsThatDoNotFitTheSchemaAndQueriesCheckedAgainstAnother() {
        AnalysisEngine engine = new AnalysisEngine(LIMITS, TestNoise.ZERO);
        GuardedQuery q = query("SELECT COUNT(*), SUM(score) FROM survey", SCHEMA);
        assertThrows(IllegalArgumentException.class, () -> engine.analyse(q, Schema.parse("score:int[0,5]"),
                handDataset(), HAND_POLICY, Epsilon.of("1")));
        assertThrows(IllegalArgumentException.class, () -> engine.analyse(q, SCHEMA, List.of(rows(1, row("x", 1.0))),
                HAND_POLICY, Epsilon.of("1")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> engine.analyse(q, SCHEMA,
                List.of(rows(1, row("x", 1.0, "seven"))), HAND_POLICY, Epsilon.of("1")));
        assertTrue(e.getMessage().contains("score is int") && !e.getMessage().contains("seven"), e.getMessage());
    }
}
