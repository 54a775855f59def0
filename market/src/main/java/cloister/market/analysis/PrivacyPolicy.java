package cloister.market.analysis;

/**
 * A dataset's privacy rules for aggregate analysis (owner-level differential privacy). Never optional: the engine
 * applies all of them to every query.
 *
 * @param minGroupOwners    k: a group with fewer distinct contributing owners is suppressed, ≥ 1
 * @param maxRowsPerOwner   the most rows of one owner that count in one group (the first ones in input order), ≥ 1
 * @param maxGroupsPerOwner the most groups one owner contributes to (the groups of their first rows), ≥ 1
 */
public record PrivacyPolicy(int minGroupOwners, int maxRowsPerOwner, int maxGroupsPerOwner) {
    /** The largest {@code maxRowsPerOwner × maxGroupsPerOwner}: keeps every sensitivity well inside a long. */
    public static final long MAX_CONTRIBUTION = 1_000_000;

    /** k = 10, one row per owner, one group per owner: the usual survey (one record per person). */
    public static final PrivacyPolicy ONE_RECORD_PER_OWNER = new PrivacyPolicy(10, 1, 1);

    public PrivacyPolicy {
        if (minGroupOwners < 1 || maxRowsPerOwner < 1 || maxGroupsPerOwner < 1) {
            throw new IllegalArgumentException("k, rows per owner and groups per owner are each at least 1");
        }
        if ((long) maxRowsPerOwner * maxGroupsPerOwner > MAX_CONTRIBUTION) {
            throw new IllegalArgumentException("rows per owner × groups per owner is at most " + MAX_CONTRIBUTION);
        }
    }

    /**
     * The most rows one owner can contribute to a query's result, over all groups: {@code maxRowsPerOwner ×
     * maxGroupsPerOwner} with GROUP BY, {@code maxRowsPerOwner} without (there is one group). Every sensitivity is
     * this bound times the most one row can move the released number.
     */
    public long contributionBound(boolean grouped) {
        return (long) maxRowsPerOwner * (grouped ? maxGroupsPerOwner : 1);
    }
}
