package cloister.market.data;

/**
 * One declared column of a dataset. {@code lower}/{@code upper} are the clamping bounds of a numeric column (values
 * outside are clamped before any aggregate, which bounds one owner's contribution); they are 0 for {@link
 * ColumnType#TEXT}.
 */
public record Column(String name, ColumnType type, double lower, double upper) {
    public Column {
        if (name == null || type == null) {
            throw new IllegalArgumentException("a column needs a name and a type");
        }
        if (type.numeric()) {
            if (!Double.isFinite(lower) || !Double.isFinite(upper) || lower > upper) {
                throw new IllegalArgumentException("column " + name + ": bounds must be finite with lower ≤ upper");
            }
            if (type == ColumnType.INT && (lower != Math.rint(lower) || upper != Math.rint(upper))) {
                throw new IllegalArgumentException("column " + name + ": an int column has whole-number bounds");
            }
        } else if (lower != 0 || upper != 0) {
            throw new IllegalArgumentException("column " + name + ": a text column has no bounds");
        }
    }

    /** A text column. */
    public static Column text(String name) {
        return new Column(name, ColumnType.TEXT, 0, 0);
    }

    /** The spec form, e.g. {@code income:real[0,250000]} or {@code region:text}. */
    public String spec() {
        return type.numeric() ? name + ":" + type.word() + "[" + Schema.number(lower) + "," + Schema.number(upper) + "]" : name + ":" + type.word();
    }

    /** {@code value} clamped into this column's bounds (numeric columns only). */
    public double clamp(double value) {
        return Math.max(lower, Math.min(upper, value));
    }
}
