package cloister.market.sql;

/** A comparison of a column with a literal in WHERE. */
public enum CompareOp {
    EQ("="),
    NE("<>"),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">=");

    private final String sql;

    CompareOp(String sql) {
        this.sql = sql;
    }

    /** The operator as canonical SQL ({@code !=} is written {@code <>}). */
    public String sql() {
        return sql;
    }

    /** The operator with its operands swapped: {@code 5 < age} is {@code age > 5}. */
    public CompareOp flipped() {
        return switch (this) {
            case EQ, NE -> this;
            case LT -> GT;
            case LE -> GE;
            case GT -> LT;
            case GE -> LE;
        };
    }

    static CompareOp ofSymbol(String symbol) {
        return switch (symbol) {
            case "=" -> EQ;
            case "<>", "!=" -> NE;
            case "<" -> LT;
            case "<=" -> LE;
            case ">" -> GT;
            case ">=" -> GE;
            default -> null;
        };
    }
}
