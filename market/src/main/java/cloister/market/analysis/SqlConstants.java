package cloister.market.analysis;

/** Numbers the engine itself writes into its SQL (never the buyer's text). */
final class SqlConstants {
    private SqlConstants() {}

    /** A double as an exact DuckDB DOUBLE expression ({@link Double#toString} round-trips). */
    static String real(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("not a finite number: " + v);
        }
        return "CAST('" + Double.toString(v) + "' AS DOUBLE)";
    }
}
