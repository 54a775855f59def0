package cloister.market.analysis;

import cloister.crypto.AccountId;
import cloister.market.privacy.Epsilon;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A released analysis result: only groups with at least k owners, every aggregate noisy.
 *
 * @param columns          the result's column names (aliases or lower-case expressions)
 * @param rows             one row per released group, values in column order: {@link Long} for COUNT and for
 *                         SUM/MIN/MAX/QUANTILE/MEDIAN of an INT column, {@link Double} for AVG and the others over
 *                         REAL, group values as stored ({@link Long}, {@link Double}, {@link String}); {@code null}
 *                         for a NULL group value, or a quantile with no signal left after noise
 * @param suppressedGroups groups dropped for having fewer than k owners (an exact count)
 * @param contributors     the owners with at least one row in a released group, sorted. Exact and not noisy: it
 *                         tells which owners matched the WHERE clause, so it is for settlement inside the enclave and
 *                         must not be published as is (paying exactly these owners on chain would reveal them)
 * @param epsilonSpent     the ε the releases used: at most the query's ε (the split rounds down to micro-ε)
 */
public record AnalysisResult(List<String> columns, List<List<Object>> rows, int suppressedGroups,
        List<AccountId> contributors, Epsilon epsilonSpent) {
    public AnalysisResult {
        columns = List.copyOf(columns);
        List<List<Object>> copy = new ArrayList<>(rows.size());
        for (List<Object> r : rows) {
            copy.add(Collections.unmodifiableList(new ArrayList<>(r)));
        }
        rows = Collections.unmodifiableList(copy);
        contributors = List.copyOf(contributors);
    }

    /** How many distinct owners contributed to the released groups. */
    public int ownersCounted() {
        return contributors.size();
    }

    /** A plain-text table, for logs of tests and the CLI. */
    public String table() {
        StringBuilder sb = new StringBuilder(String.join(" | ", columns)).append('\n');
        for (List<Object> r : rows) {
            for (int i = 0; i < r.size(); i++) {
                sb.append(i == 0 ? "" : " | ").append(r.get(i));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
