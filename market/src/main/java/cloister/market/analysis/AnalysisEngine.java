package cloister.market.analysis;

import cloister.crypto.AccountId;
import cloister.market.data.Column;
import cloister.market.data.ColumnType;
import cloister.market.data.Schema;
import cloister.market.privacy.Epsilon;
import cloister.market.privacy.IntegerNoise;
import cloister.market.sql.AggregateFunction;
import cloister.market.sql.GuardedQuery;
import cloister.market.sql.OrderKey;
import cloister.market.sql.Predicate;
import cloister.market.sql.SelectItem;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs a {@link GuardedQuery} over owners' decrypted rows inside the enclave and releases only a privacy-checked
 * aggregate. Each run loads the rows into a fresh in-memory DuckDB (no file, network or extension access, no spill
 * directory, configuration locked after loading), computes exact per-group statistics with SQL the engine renders
 * itself, and adds noise in Java.
 *
 * <h2>Privacy rules (owner-level ε-differential privacy; none is optional)</h2>
 * <ol>
 *   <li><b>Clamping.</b> Every numeric value is clamped into its column's declared bounds when loaded (so WHERE, GROUP
 *       BY and the aggregates all see clamped values); NaN counts as NULL.
 *   <li><b>Filtering.</b> WHERE applies first.
 *   <li><b>Contribution caps.</b> Per group, an owner's first {@code maxRowsPerOwner} rows (input order) count; an
 *       owner counts in at most {@code maxGroupsPerOwner} groups, those of their first rows. Hence one owner touches
 *       at most {@code C = maxRowsPerOwner × maxGroupsPerOwner} rows of the result ({@code C = maxRowsPerOwner}
 *       without GROUP BY: there is one group).
 *   <li><b>k suppression.</b> A group with fewer than {@code k = minGroupOwners} distinct contributing owners is
 *       dropped and counted in {@link AnalysisResult#suppressedGroups()}.
 *   <li><b>Noise.</b> The query's ε is split equally over its aggregate items (rounded down to micro-ε; the result
 *       reports what was spent). Each item is one release of a vector over all released groups, with L1
 *       sensitivity Δ under adding or removing one owner, and gets {@code IntegerNoise.noise(Δ, ε_item)} per entry:
 *       <ul>
 *         <li>COUNT(*), COUNT(col): Δ = C (each of the owner's ≤ C rows moves one count by one). Released as
 *             {@code max(0, count + noise)}.
 *         <li>SUM(col): on the column's {@link FixedPointGrid}; Δ = C × ⌈max(|lower|, |upper|) / grid⌉ units.
 *             Released as {@code (units + noise) × grid}, clipped at 0 on the side the bounds exclude.
 *         <li>AVG(col): a noisy SUM and a noisy COUNT(col), each with ε_item / 2 and the sensitivities above;
 *             released as {@code sum / max(1, count)} clamped into the bounds (post-processing).
 *         <li>MIN, MAX, QUANTILE(col, p), MEDIAN: a histogram of the clamped values over the fixed
 *             {@link BucketLayout} (64 equal buckets of the declared range, or one per value for a small INT range);
 *             Δ = C (each row is in one bucket); every bucket of every group gets noise, negative counts become 0,
 *             and the answer is read off (post-processing): QUANTILE from the cumulative counts, MIN/MAX from the
 *             first/last bucket above {@code τ = (Δ / ε_item) × ln(buckets)} — a bucket that is truly empty passes
 *             τ with probability below about {@code 1 / (2 × buckets)}.
 *       </ul>
 *   <li><b>Order.</b> ORDER BY is applied to the noisy values; ties, and queries without ORDER BY, are ordered by the
 *       GROUP BY columns (NULL first).
 * </ol>
 * Which groups appear is decided by the exact owner count against k, which is a k-anonymity threshold, not a
 * differentially private one; {@link AnalysisRefusal#TOO_MANY_GROUPS} likewise depends on the data.
 */
public final class AnalysisEngine {
    private final AnalysisLimits limits;
    private final IntegerNoise noise;

    public AnalysisEngine(AnalysisLimits limits, IntegerNoise noise) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.noise = Objects.requireNonNull(noise, "noise");
    }

    /**
     * Runs {@code query} over the owners' rows.
     *
     * @param schema  the dataset's schema; must be the one the query was checked against
     * @param epsilon the ε this query may spend (split over its aggregate items)
     * @return the released result, or a refusal ({@link AnalysisRefusal})
     * @throws IllegalArgumentException if the schema differs from the query's, or a row does not fit the schema
     */
    public AnalysisOutcome analyse(GuardedQuery query, Schema schema, List<OwnerRows> owners, PrivacyPolicy policy,
            Epsilon epsilon) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(owners, "owners");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(epsilon, "epsilon");
        if (!query.schema().equals(schema)) {
            throw new IllegalArgumentException("the query was checked against another schema");
        }
        List<SelectItem.Aggregate> aggregates = query.aggregates();
        long share = aggregates.isEmpty() ? 0 : epsilon.micros() / aggregates.size();
        boolean averages = aggregates.stream().anyMatch(a -> a.function() == AggregateFunction.AVG);
        if (!aggregates.isEmpty() && (share == 0 || averages && share / 2 == 0)) {
            return new AnalysisOutcome.Refused(AnalysisRefusal.EPSILON_TOO_SMALL, "ε " + epsilon + " split over "
                    + aggregates.size() + " aggregates" + (averages ? " (an AVG takes two releases)" : "")
                    + " leaves less than 0.000001 per release");
        }
        try (DuckSession db = DuckSession.open(limits)) {
            return new Run(query, schema, policy, db, share).execute(owners);
        } catch (SQLException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("Out of Memory") || message.contains("out of memory")) {
                return new AnalysisOutcome.Refused(AnalysisRefusal.RESOURCE_LIMIT, "the analysis needs more than the engine's "
                        + limits.memoryLimitMiB() + " MiB of memory");
            }
            // DuckDB's message may quote values of owners' rows: report only its category.
            int colon = message.indexOf(':');
            throw new IllegalStateException("DuckDB refused the engine's own SQL (" + (colon > 0 ? message.substring(0, colon)
                    : "error") + "; details withheld, they may quote owners' values)");
        }
    }

    /** One run: its DuckDB, the columns it loads, the owners it has seen. */
    private final class Run {
        private final GuardedQuery query;
        private final Schema schema;
        private final PrivacyPolicy policy;
        private final DuckSession db;
        private final Epsilon share;
        private final Epsilon half;
        private final List<String> groupBy;
        private final List<Column> loaded;
        private final String groupList;
        private final long contribution;
        private final List<AccountId> ownerIds = new ArrayList<>();
        /** The rows the statistics and histograms read (a table, or a table with WHERE), and the WHERE's parameters. */
        private String scopeFrom;
        private List<Object> scopeParams = List.of();

        Run(GuardedQuery query, Schema schema, PrivacyPolicy policy, DuckSession db, long shareMicros) {
            this.query = query;
            this.schema = schema;
            this.policy = policy;
            this.db = db;
            this.share = new Epsilon(shareMicros);
            this.half = new Epsilon(shareMicros / 2);
            this.groupBy = query.groupBy();
            Set<String> used = new LinkedHashSet<>(groupBy);
            query.where().ifPresent(p -> columnsOf(p, used));
            for (SelectItem.Aggregate a : query.aggregates()) {
                if (a.column() != null) {
                    used.add(a.column());
                }
            }
            this.loaded = schema.columns().stream().filter(c -> used.contains(c.name())).toList();
            this.groupList = groupBy.stream().map(c -> DuckSql.quote(schema, c)).collect(Collectors.joining(", "));
            this.contribution = policy.contributionBound(!groupBy.isEmpty());
        }

        AnalysisOutcome execute(List<OwnerRows> owners) throws SQLException {
            List<Integer> ownerIndex = new ArrayList<>(owners.size());
            Map<AccountId, Integer> seen = new HashMap<>();
            for (OwnerRows o : owners) {
                ownerIndex.add(seen.computeIfAbsent(o.owner(), id -> {
                    ownerIds.add(id);
                    return ownerIds.size() - 1;
                }));
            }
            boolean histograms = query.aggregates().stream().anyMatch(SelectItem.Aggregate::histogram);
            // When every input's size is known, the caps' bindingness is known before reading: an owner with at most
            // R rows keeps all of them in every group, and one with at most G rows cannot reach more than G groups.
            RowStream probe = new RowStream(schema, loaded, ownerIndex, owners, false, limits.threads());
            boolean capsMayBind = !probe.sized() || capsBind(probe.rowsPerOwner(ownerIds.size()));
            if (!capsMayBind && !histograms) {
                // One pass: the rows stream from the owners' batches into the per-owner aggregate; no table of rows.
                db.register(RowStream.NAME, probe);
                db.lock();
                List<Object> params = new ArrayList<>();
                String from = RowStream.NAME + "()" + where(params);
                aggregate(from, params, probe);
            } else {
                RowStream stream = new RowStream(schema, loaded, ownerIndex, owners, capsMayBind, limits.threads());
                db.register(RowStream.NAME, stream);
                streamed(stream, () -> db.execute("CREATE TABLE __data AS SELECT * FROM " + RowStream.NAME + "()"));
                db.lock();
                List<Object> params = new ArrayList<>();
                if (capsMayBind && capsBind(stream.rowsPerOwner(ownerIds.size()))) {
                    cappedScope();
                    scopeFrom = "__scope";
                } else {
                    scopeFrom = "__data" + where(params);
                    scopeParams = params;
                }
                aggregate(scopeFrom, scopeParams, null);
            }
            int k = policy.minGroupOwners();
            long[] counted = groupCounts(k);
            long released = counted[0];
            int suppressed = (int) Math.min(Integer.MAX_VALUE, counted[1]);
            if (released > limits.maxOutputGroups()) {
                return new AnalysisOutcome.Refused(AnalysisRefusal.TOO_MANY_GROUPS, "the query would release more than "
                        + limits.maxOutputGroups() + " groups: group by fewer or coarser columns, or filter with WHERE");
            }
            Exact exact = exact(k);
            Map<String, long[][]> histogramCounts = new HashMap<>();
            for (SelectItem.Aggregate a : query.aggregates()) {
                if (a.histogram() && !histogramCounts.containsKey(a.column())) {
                    histogramCounts.put(a.column(), histogram(a.column(), exact));
                }
            }
            List<AccountId> contributors = contributors(k);
            List<Object[]> keys = new ArrayList<>();
            List<List<Object>> rows = new ArrayList<>();
            for (int g = 0; g < exact.keys.size(); g++) {
                keys.add(exact.keys.get(g));
                rows.add(release(exact, g, histogramCounts));
            }
            sort(keys, rows);
            long spent = 0;
            for (SelectItem.Aggregate a : query.aggregates()) {
                spent += a.function() == AggregateFunction.AVG ? 2 * half.micros() : share.micros();
            }
            return new AnalysisOutcome.Released(new AnalysisResult(query.columnNames(), rows, suppressed, contributors,
                    new Epsilon(spent)));
        }

        /** Whether an owner with this many rows (the most any has) could lose rows to the caps. */
        private boolean capsBind(long[] rowsPerOwner) {
            long most = 0;
            for (long n : rowsPerOwner) {
                most = Math.max(most, n);
            }
            return most > policy.maxRowsPerOwner() || !groupBy.isEmpty() && most > policy.maxGroupsPerOwner();
        }

        private String where(List<Object> params) {
            return query.where().map(p -> " WHERE (" + DuckSql.condition(p, schema, params) + ")").orElse("");
        }

        /** Runs a statement that reads the row stream; a row that did not fit the schema is rethrown as it was. */
        private void streamed(RowStream stream, SqlAction action) throws SQLException {
            try {
                action.run();
            } catch (SQLException e) {
                if (stream.failure() != null) {
                    throw stream.failure();
                }
                throw e;
            }
        }

        /**
         * The filtered rows with the contribution caps applied, when they can bind: per owner and group the first R
         * rows (input order), per owner the groups of their first rows, at most G: {@code __scope(__owner, columns…)}.
         */
        private void cappedScope() throws SQLException {
            List<Object> params = new ArrayList<>();
            String cols = loaded.stream().map(c -> ", " + DuckSql.quote(schema, c.name())).collect(Collectors.joining());
            String ownerGroup = groupBy.isEmpty() ? "__owner" : "__owner, " + groupList;
            String sql = "CREATE TABLE __scope AS WITH "
                    + "f AS (SELECT __owner, __row" + cols + " FROM __data" + where(params) + "), "
                    + "r AS (SELECT *, row_number() OVER (PARTITION BY " + ownerGroup + " ORDER BY __row) AS __rn, "
                    + "min(__row) OVER (PARTITION BY " + ownerGroup + ") AS __first FROM f), "
                    + "c AS (SELECT * FROM r WHERE __rn <= ?), "
                    + "d AS (SELECT *, dense_rank() OVER (PARTITION BY __owner ORDER BY __first) AS __grank FROM c) "
                    + "SELECT __owner" + cols + " FROM d WHERE __grank <= ?";
            params.add((long) policy.maxRowsPerOwner());
            params.add((long) policy.maxGroupsPerOwner());
            try (PreparedStatement ps = db.prepare(sql)) {
                bind(ps, params);
                ps.execute();
            }
        }

        /**
         * One pass over the scope: {@code __og}, each owner's partial statistics per group (the statistics are sums,
         * so they add up over owners), then {@code __groups}, per group its distinct owners {@code __gowners} and exact
         * statistics {@code __s0…}.
         */
        private void aggregate(String from, List<Object> params, RowStream stream) throws SQLException {
            List<String> stats = stats();
            StringBuilder partial = new StringBuilder();
            StringBuilder total = new StringBuilder();
            for (int i = 0; i < stats.size(); i++) {
                partial.append(", ").append(stats.get(i)).append(" AS __p").append(i);
                total.append(", CAST(coalesce(sum(__p").append(i).append("), 0) AS BIGINT) AS __s").append(i);
            }
            String ownerGroup = groupBy.isEmpty() ? "__owner" : "__owner, " + groupList;
            String og = "CREATE TABLE __og AS SELECT " + ownerGroup + partial + " FROM " + from + " GROUP BY " + ownerGroup;
            try (PreparedStatement ps = db.prepare(og)) {
                bind(ps, params);
                if (stream != null) {
                    streamed(stream, ps::execute);
                } else {
                    ps.execute();
                }
            }
            db.execute("CREATE TABLE __groups AS SELECT " + (groupBy.isEmpty() ? "" : groupList + ", ") + "count(*) AS __gowners" + total
                    + " FROM __og" + groupClause());
        }

        /** The exact statistics the aggregates need, each once: a COUNT(*), COUNT(col) or SUM(col units) per owner and group. */
        private List<String> stats() {
            List<String> out = new ArrayList<>();
            for (SelectItem.Aggregate a : query.aggregates()) {
                switch (a.function()) {
                    case COUNT -> addOnce(out, countSql(a.column()));
                    case SUM -> addOnce(out, sumSql(a.column()));
                    case AVG -> {
                        addOnce(out, sumSql(a.column()));
                        addOnce(out, countSql(a.column()));
                    }
                    default -> { }
                }
            }
            return out;
        }

        private static void addOnce(List<String> list, String s) {
            if (!list.contains(s)) {
                list.add(s);
            }
        }

        /** {released groups, suppressed groups}. */
        private long[] groupCounts(int k) throws SQLException {
            try (PreparedStatement ps = db.prepare("SELECT count(*) FILTER (WHERE __gowners >= ?), count(*) FILTER (WHERE __gowners < ?) FROM __groups")) {
                ps.setLong(1, k);
                ps.setLong(2, k);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new long[] {rs.getLong(1), rs.getLong(2)};
                }
            }
        }

        /** Exact statistics of the released groups, in group-key order. */
        private Exact exact(int k) throws SQLException {
            List<String> statList = stats();
            Map<String, Integer> stats = new LinkedHashMap<>();
            StringBuilder cols = new StringBuilder();
            for (int i = 0; i < statList.size(); i++) {
                stats.put(statList.get(i), i);
                cols.append(", __s").append(i);
            }
            String sql = "SELECT " + (groupBy.isEmpty() ? "" : groupList + ", ") + "__gowners" + cols + " FROM __groups WHERE __gowners >= ?"
                    + (groupBy.isEmpty() ? "" : " ORDER BY " + groupBy.stream().map(c -> DuckSql.quote(schema, c) + " NULLS FIRST")
                            .collect(Collectors.joining(", ")));
            Exact exact = new Exact(stats);
            try (PreparedStatement ps = db.prepare(sql)) {
                ps.setLong(1, k);
                try (ResultSet rs = ps.executeQuery()) {
                    int g = groupBy.size();
                    while (rs.next()) {
                        Object[] key = groupKey(rs);
                        long[] values = new long[stats.size()];
                        for (int i = 0; i < values.length; i++) {
                            values[i] = rs.getLong(g + 2 + i);
                        }
                        exact.add(key, values);
                    }
                }
            }
            return exact;
        }

        /** The GROUP BY columns' values of the current row (the first columns of the engine's own queries). */
        private Object[] groupKey(ResultSet rs) throws SQLException {
            Object[] key = new Object[groupBy.size()];
            for (int i = 0; i < key.length; i++) {
                key[i] = rs.getObject(i + 1);
            }
            return key;
        }

        /** Exact bucket counts of {@code column} per released group: [group][bucket] (suppressed groups are skipped). */
        private long[][] histogram(String column, Exact exact) throws SQLException {
            Column c = schema.column(column).orElseThrow();
            BucketLayout layout = BucketLayout.of(c);
            String q = DuckSql.quote(schema, column);
            boolean filtered = scopeFrom.contains(" WHERE ");
            String sql = "SELECT " + (groupBy.isEmpty() ? "" : groupList + ", ") + layout.bucketSql(q) + " AS __b, count(*)"
                    + " FROM " + scopeFrom + (filtered ? " AND " : " WHERE ") + q + " IS NOT NULL GROUP BY "
                    + (groupBy.isEmpty() ? "" : groupList + ", ") + "__b";
            long[][] counts = new long[exact.keys.size()][layout.buckets()];
            try (PreparedStatement ps = db.prepare(sql)) {
                bind(ps, scopeParams);
                try (ResultSet rs = ps.executeQuery()) {
                    int g = groupBy.size();
                    while (rs.next()) {
                        Object[] key = groupKey(rs);
                        Integer group = exact.index.get(Arrays.asList(key));
                        if (group != null) {
                            counts[group][rs.getInt(g + 1)] = rs.getLong(g + 2);
                        }
                    }
                }
            }
            return counts;
        }

        /** The owners with a row in a released group. */
        private List<AccountId> contributors(int k) throws SQLException {
            String on = groupBy.stream().map(c -> "o." + DuckSql.quote(schema, c) + " IS NOT DISTINCT FROM g." + DuckSql.quote(schema, c))
                    .collect(Collectors.joining(" AND "));
            String sql = "SELECT DISTINCT o.__owner FROM __og o JOIN __groups g ON " + (on.isEmpty() ? "true" : on) + " WHERE g.__gowners >= ?";
            List<AccountId> out = new ArrayList<>();
            try (PreparedStatement ps = db.prepare(sql)) {
                ps.setLong(1, k);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(ownerIds.get(rs.getInt(1)));
                    }
                }
            }
            out.sort(Comparator.naturalOrder());
            return out;
        }

        /** The noisy row of released group {@code g}. Noise is drawn in a fixed order: groups, then items. */
        private List<Object> release(Exact exact, int g, Map<String, long[][]> histograms) {
            List<Object> row = new ArrayList<>();
            long[] stats = exact.values.get(g);
            for (SelectItem item : query.items()) {
                switch (item) {
                    case SelectItem.GroupColumn gc -> row.add(exact.keys.get(g)[groupBy.indexOf(gc.column())]);
                    case SelectItem.Aggregate a -> row.add(switch (a.function()) {
                        case COUNT -> Math.max(0, stats[exact.stat(countSql(a.column()))] + noise.noise(contribution, share));
                        case SUM -> sum(a.column(), stats[exact.stat(sumSql(a.column()))]);
                        case AVG -> average(a.column(), stats[exact.stat(sumSql(a.column()))], stats[exact.stat(countSql(a.column()))]);
                        case MIN, MAX, QUANTILE, MEDIAN -> fromHistogram(a, histograms.get(a.column())[g]);
                    });
                }
            }
            return row;
        }

        private Object sum(String column, long units) {
            Column c = schema.column(column).orElseThrow();
            FixedPointGrid grid = FixedPointGrid.of(c);
            long noisy = Math.addExact(units, noise.noise(contribution * Math.max(1, grid.maxUnits()), share));
            if (c.lower() >= 0) {
                noisy = Math.max(0, noisy);
            }
            if (c.upper() <= 0) {
                noisy = Math.min(0, noisy);
            }
            return c.type() == ColumnType.INT ? (Object) grid.longValue(noisy) : (Object) grid.value(noisy);
        }

        private double average(String column, long units, long count) {
            Column c = schema.column(column).orElseThrow();
            FixedPointGrid grid = FixedPointGrid.of(c);
            long noisySum = Math.addExact(units, noise.noise(contribution * Math.max(1, grid.maxUnits()), half));
            long noisyCount = Math.max(1, Math.addExact(count, noise.noise(contribution, half)));
            return c.clamp(grid.value(noisySum) / noisyCount);
        }

        private Object fromHistogram(SelectItem.Aggregate a, long[] exactCounts) {
            Column c = schema.column(a.column()).orElseThrow();
            BucketLayout layout = BucketLayout.of(c);
            long[] noisy = new long[exactCounts.length];
            for (int i = 0; i < noisy.length; i++) {
                noisy[i] = Math.max(0, Math.addExact(exactCounts[i], noise.noise(contribution, share)));
            }
            double threshold = contribution / share.value() * Math.log(layout.buckets());
            Double v = switch (a.function()) {
                case MIN -> layout.min(noisy, threshold);
                case MAX -> layout.max(noisy, threshold);
                default -> layout.quantile(noisy, a.quantile());
            };
            if (v == null) {
                return null;
            }
            double clamped = c.clamp(v);
            return c.type() == ColumnType.INT ? (Object) Math.round(clamped) : (Object) clamped;
        }

        /** ORDER BY keys on the noisy values, then the group key (NULL first). */
        private void sort(List<Object[]> keys, List<List<Object>> rows) {
            Integer[] order = new Integer[rows.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (x, y) -> {
                for (OrderKey key : query.orderBy()) {
                    int c = compare(rows.get(x).get(key.column()), rows.get(y).get(key.column()));
                    if (c != 0) {
                        return key.descending() ? -c : c;
                    }
                }
                for (int i = 0; i < groupBy.size(); i++) {
                    int c = compare(keys.get(x)[i], keys.get(y)[i]);
                    if (c != 0) {
                        return c;
                    }
                }
                return 0;
            });
            List<List<Object>> sorted = new ArrayList<>(rows.size());
            for (Integer i : order) {
                sorted.add(rows.get(i));
            }
            rows.clear();
            rows.addAll(sorted);
        }

        private String groupClause() {
            return groupBy.isEmpty() ? "" : " GROUP BY " + groupList;
        }

        private String countSql(String column) {
            return column == null ? "count(*)" : "count(" + DuckSql.quote(schema, column) + ")";
        }

        private String sumSql(String column) {
            Column c = schema.column(column).orElseThrow();
            return "CAST(coalesce(sum(" + FixedPointGrid.of(c).unitsSql(DuckSql.quote(schema, column)) + "), 0) AS BIGINT)";
        }
    }

    /** The released groups' keys and exact statistics. */
    private static final class Exact {
        final Map<String, Integer> stats;
        final List<Object[]> keys = new ArrayList<>();
        final List<long[]> values = new ArrayList<>();
        final Map<List<Object>, Integer> index = new HashMap<>();

        Exact(Map<String, Integer> stats) {
            this.stats = stats;
        }

        void add(Object[] key, long[] v) {
            index.put(Arrays.asList(key), keys.size());
            keys.add(key);
            values.add(v);
        }

        int stat(String sql) {
            return stats.get(sql);
        }
    }

    @FunctionalInterface
    private interface SqlAction {
        void run() throws SQLException;
    }

    private static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            switch (params.get(i)) {
                case Long l -> ps.setLong(i + 1, l);
                case Double d -> ps.setDouble(i + 1, d);
                case String s -> ps.setString(i + 1, s);
                default -> throw new IllegalStateException("unexpected parameter type");
            }
        }
    }

    private static void columnsOf(Predicate p, Set<String> out) {
        switch (p) {
            case Predicate.Comparison c -> out.add(c.column());
            case Predicate.InList in -> out.add(in.column());
            case Predicate.Between b -> out.add(b.column());
            case Predicate.IsNull n -> out.add(n.column());
            case Predicate.And a -> a.terms().forEach(t -> columnsOf(t, out));
            case Predicate.Or o -> o.terms().forEach(t -> columnsOf(t, out));
            case Predicate.Not n -> columnsOf(n.term(), out);
        }
    }

    private static int compare(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        if (a instanceof Long x && b instanceof Long y) {
            return Long.compare(x, y);
        }
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y);
        }
        return a.getClass().getName().compareTo(b.getClass().getName());
    }
}
