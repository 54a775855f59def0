package cloister.market.sql;

/**
 * One ORDER BY key, resolved to a column of the result. The engine sorts after noise is added, then breaks ties by the
 * GROUP BY columns, so the order is deterministic.
 *
 * @param column the index of the result column (of {@link GuardedQuery#items()})
 */
public record OrderKey(int column, boolean descending) {
    public OrderKey {
        if (column < 0) {
            throw new IllegalArgumentException("a result column index is ≥ 0");
        }
    }
}
