package cloister.market.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.market.data.RecordBatch;
import cloister.market.data.Schema;
import cloister.market.privacy.Epsilon;
import cloister.market.sql.GuardedSql;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The engine's ways in give the same release: rows as lists, one record batch per entry (read column by column), several
 * batches per entry, and rows of unknown count (read in order on one thread, the caps decided after loading); with the
 * caps unable to bind (one streamed pass) and binding (window functions), with histograms and without GROUP BY.
 */
class BatchLoadingTest {
    static final Schema SCHEMA = Schema.parse("band:text,income:real[-500,1000],score:int[0,10],note:text");

    enum Form { LIST, BATCH, SPLIT, UNSIZED }

    /** 60 owners, 1–40 rows each, a few owners in two entries; nulls, values outside the bounds, −0.0, non-ASCII text. */
    static List<List<Object[]>> entries(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        String[] bands = {"a", "b", "c", "d", "ébène", "rare"};
        List<List<Object[]>> out = new ArrayList<>();
        for (int o = 0; o < 66; o++) {
            List<Object[]> rows = new ArrayList<>();
            int n = 1 + r.nextInt(40);
            for (int i = 0; i < n; i++) {
                String band = r.nextInt(30) == 0 ? null : bands[o % 17 == 0 ? 5 : r.nextInt(5)];
                Double income = r.nextInt(10) == 0 ? null : r.nextInt(20) == 0 ? -0.0 : r.nextDouble(-800, 1400);
                Long score = r.nextInt(12) == 0 ? null : (long) r.nextInt(-3, 14);
                String note = r.nextInt(3) == 0 ? null : "n" + r.nextInt(4) + (r.nextBoolean() ? "→" : "");
                rows.add(new Object[] {band, income, score, note});
            }
            out.add(rows);
        }
        return out;
    }

    /** Entry i belongs to owner i, except entries 60–65, which are second entries of owners 0–5. */
    static List<OwnerRows> as(Form form, List<List<Object[]>> entries) {
        List<OwnerRows> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            List<Object[]> rows = entries.get(i);
            var owner = AnalysisEngineTest.owner(i < 60 ? i : i - 60);
            out.add(switch (form) {
                case LIST -> new OwnerRows(owner, rows);
                case BATCH -> OwnerRows.ofBatches(owner, List.of(RecordBatch.of(SCHEMA, rows)));
                case SPLIT -> {
                    List<RecordBatch> batches = new ArrayList<>();
                    for (int from = 0; from < rows.size(); from += 7) {
                        batches.add(RecordBatch.of(SCHEMA, rows.subList(from, Math.min(rows.size(), from + 7))));
                    }
                    yield OwnerRows.ofBatches(owner, batches);
                }
                case UNSIZED -> new OwnerRows(owner, () -> rows.iterator());
            });
        }
        return out;
    }

    static AnalysisResult run(String sql, Form form, PrivacyPolicy policy) {
        return new AnalysisEngine(new AnalysisLimits(2, 10_000, 256), TestNoise.ZERO)
                .analyse(GuardedSql.check(sql, SCHEMA).query(), SCHEMA, as(form, entries(7)), policy, Epsilon.of("1")).result();
    }

    @Test
    void everyWayInGivesTheSameRelease() {
        Map<String, PrivacyPolicy> cases = Map.of(
                "SELECT band, COUNT(*), AVG(income), SUM(score) FROM t WHERE score >= 2 OR note = 'n1' GROUP BY band", new PrivacyPolicy(3, 100, 100),
                "SELECT band, COUNT(*), AVG(income), SUM(score), COUNT(note) FROM t WHERE income BETWEEN 0 AND 900 GROUP BY band", new PrivacyPolicy(3, 2, 1),
                "SELECT band, note, MEDIAN(income), MIN(score), MAX(income), COUNT(*) FROM t GROUP BY band, note", new PrivacyPolicy(2, 100, 100),
                "SELECT COUNT(*), AVG(income), QUANTILE(score, 0.9) FROM t WHERE note IS NULL", new PrivacyPolicy(2, 5, 1),
                "SELECT score, SUM(income) FROM t GROUP BY score ORDER BY 2 DESC", new PrivacyPolicy(4, 3, 2));
        for (var c : cases.entrySet()) {
            AnalysisResult expected = run(c.getKey(), Form.LIST, c.getValue());
            assertFalse(expected.rows().isEmpty(), c.getKey());
            for (Form f : List.of(Form.BATCH, Form.SPLIT, Form.UNSIZED)) {
                AnalysisResult got = run(c.getKey(), f, c.getValue());
                String what = f + ": " + c.getKey();
                assertEquals(expected.columns(), got.columns(), what);
                assertEquals(expected.rows(), got.rows(), what);
                assertEquals(expected.suppressedGroups(), got.suppressedGroups(), what);
                assertEquals(expected.contributors(), got.contributors(), what);
            }
        }
    }

    /** The streamed pass (the caps cannot bind) against the same counts and sums worked out here, row by row. */
    @Test
    void theStreamedPassCountsWhatARowByRowReadingCounts() {
        List<List<Object[]>> entries = entries(7);
        Map<String, long[]> byBand = new TreeMap<>(); // count, sum of scores
        Map<String, Set<Integer>> owners = new TreeMap<>();
        for (int i = 0; i < entries.size(); i++) {
            for (Object[] r : entries.get(i)) {
                Long score = (Long) r[2];
                if (score == null || Math.max(0, Math.min(10, score)) < 3) {
                    continue;
                }
                String band = String.valueOf(r[0]);
                long[] s = byBand.computeIfAbsent(band, b -> new long[2]);
                s[0]++;
                s[1] += Math.max(0, Math.min(10, score));
                owners.computeIfAbsent(band, b -> new TreeSet<>()).add(i < 60 ? i : i - 60);
            }
        }
        for (Form f : Form.values()) {
            AnalysisResult got = run("SELECT band, COUNT(*), SUM(score) FROM t WHERE score >= 3 GROUP BY band", f, new PrivacyPolicy(5, 1000, 1000));
            int released = 0;
            Set<Integer> contributors = new TreeSet<>();
            for (List<Object> row : got.rows()) {
                String band = String.valueOf(row.get(0));
                assertEquals(byBand.get(band)[0], row.get(1), f + " " + band);
                assertEquals(byBand.get(band)[1], row.get(2), f + " " + band);
                assertTrue(owners.get(band).size() >= 5);
                contributors.addAll(owners.get(band));
                released++;
            }
            assertEquals(owners.values().stream().filter(s -> s.size() >= 5).count(), released, f.toString());
            assertEquals(owners.size() - released, got.suppressedGroups(), f.toString());
            assertEquals(contributors.size(), got.ownersCounted(), f.toString());
        }
    }

    @Test
    void aBadRowOrABatchOfAnotherSchemaIsRefusedWithoutItsValues() {
        AnalysisEngine engine = new AnalysisEngine(AnalysisEngineTest.LIMITS, TestNoise.ZERO);
        var q = GuardedSql.check("SELECT band, COUNT(*) FROM t GROUP BY band", SCHEMA).query();
        List<Object[]> bad = List.of(new Object[] {"a", 1.0, 2L, "x"}, new Object[] {12345, 1.0, 2L, "x"});
        Iterable<Object[]> unsized = () -> bad.iterator();
        for (Iterable<Object[]> rows : List.<Iterable<Object[]>>of(bad, unsized)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> engine.analyse(q, SCHEMA,
                    List.of(new OwnerRows(AnalysisEngineTest.owner(1), rows)), new PrivacyPolicy(1, 5, 5), Epsilon.of("1")));
            assertTrue(e.getMessage().contains("band is text") && !e.getMessage().contains("12345"), e.getMessage());
        }
        RecordBatch other = RecordBatch.of(Schema.parse("band:text"), List.<Object[]>of(new Object[] {"a"}));
        assertThrows(IllegalArgumentException.class, () -> engine.analyse(q, SCHEMA,
                List.of(OwnerRows.ofBatches(AnalysisEngineTest.owner(1), List.of(other))), new PrivacyPolicy(1, 5, 5), Epsilon.of("1")));
    }

    @Test
    void batchRowsIterateAsTheirBatchesInOrder() {
        List<Object[]> rows = entries(3).stream().filter(e -> e.size() >= 2).findFirst().orElseThrow();
        List<RecordBatch> batches = List.of(RecordBatch.of(SCHEMA, rows.subList(0, 1)), RecordBatch.of(SCHEMA, rows.subList(1, rows.size())));
        Iterator<Object[]> it = new BatchRows(batches).iterator();
        for (Object[] r : rows) {
            assertArrayEquals(r, it.next());
        }
        assertFalse(it.hasNext());
    }
}
