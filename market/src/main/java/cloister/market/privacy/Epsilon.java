package cloister.market.privacy;

/**
 * A privacy loss ε in exact integer units of 10⁻⁶ (micro-ε), so budgets add and subtract without rounding drift and
 * every node computes the same numbers. {@code Epsilon.of("0.5")} is 500 000 micro-ε.
 */
public record Epsilon(long micros) implements Comparable<Epsilon> {
    public static final long MICROS_PER_UNIT = 1_000_000L;

    public Epsilon {
        if (micros < 0) {
            throw new IllegalArgumentException("ε cannot be negative");
        }
    }

    /** Parses a decimal such as {@code 0.5} or {@code 1}; at most 6 decimals. */
    public static Epsilon of(String decimal) {
        try {
            java.math.BigDecimal d = new java.math.BigDecimal(decimal.trim());
            if (d.signum() < 0) {
                throw new IllegalArgumentException("ε cannot be negative: " + decimal);
            }
            if (d.scale() > 6 && d.stripTrailingZeros().scale() > 6) {
                throw new IllegalArgumentException("ε has at most 6 decimals: " + decimal);
            }
            return new Epsilon(d.movePointRight(6).longValueExact());
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not a number for ε: " + decimal);
        }
    }

    public double value() {
        return micros / (double) MICROS_PER_UNIT;
    }

    @Override
    public int compareTo(Epsilon o) {
        return Long.compare(micros, o.micros);
    }

    @Override
    public String toString() {
        return java.math.BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString();
    }
}
