package cloister.market.data;

/**
 * The type of a dataset column. Numeric columns ({@link #INT}, {@link #REAL}) always declare clamping bounds, so every
 * owner's contribution to a SUM or AVG is bounded; {@link #TEXT} columns can only be grouped by or counted.
 */
public enum ColumnType {
    /** A 64-bit signed integer. */
    INT("int"),
    /** A double-precision number (finite). */
    REAL("real"),
    /** UTF-8 text, at most {@link Schema#MAX_TEXT_BYTES} bytes per value. */
    TEXT("text");

    private final String word;

    ColumnType(String word) {
        this.word = word;
    }

    /** The word used in schema specs: {@code int}, {@code real}, {@code text}. */
    public String word() {
        return word;
    }

    public boolean numeric() {
        return this != TEXT;
    }

    /** The type named by {@code word}, or {@code null}. */
    static ColumnType ofWord(String word) {
        for (ColumnType t : values()) {
            if (t.word.equals(word)) {
                return t;
            }
        }
        return null;
    }
}
