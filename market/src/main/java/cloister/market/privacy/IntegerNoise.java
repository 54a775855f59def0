package cloister.market.privacy;

/**
 * Differential-privacy noise for an integer-valued query: returns a noise value to add to the true answer so that
 * the release is {@code epsilon}-DP for a query of L1 sensitivity {@code sensitivity} (in the same integer units as the
 * answer). Implementations sample exactly with integer arithmetic from a cryptographically secure source (never
 * floating-point Laplace), so their output distribution is the published one to the last unit.
 */
public interface IntegerNoise {
    /**
     * @param sensitivity the most one owner can change the answer, ≥ 1
     * @param epsilon the privacy loss this one release may spend, &gt; 0
     */
    long noise(long sensitivity, Epsilon epsilon);
}
