package cloister.common;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Amounts of the native token (CLO). On chain an amount is a {@code long} count of base units;
 * 1 CLO = 10^9 units, so the largest amount is about 9.2 billion CLO.
 */
public final class Tokens {
    public static final String SYMBOL = "CLO";
    public static final int DECIMALS = 9;
    public static final long UNITS_PER_TOKEN = 1_000_000_000L;

    private Tokens() {}

    /** Whole tokens to units. */
    public static long of(long tokens) {
        return Math.multiplyExact(tokens, UNITS_PER_TOKEN);
    }

    /**
     * Parses a decimal token amount ("10", "0.25") to units.
     *
     * @throws IllegalArgumentException if it is not a non-negative decimal, has more than 9 decimals, or is too large
     */
    public static long parse(String text) {
        BigDecimal value;
        try {
            value = new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a number");
        }
        if (value.signum() < 0) {
            throw new IllegalArgumentException("amount must not be negative");
        }
        BigDecimal units;
        try {
            units = value.movePointRight(DECIMALS);
        } catch (ArithmeticException e) {
            // the exponent overflows int scale ("1e2147483647"): far too large
            throw new IllegalArgumentException("amount is too large");
        }
        if (units.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("amount has more than " + DECIMALS + " decimals");
        }
        try {
            return units.longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("amount is too large");
        }
    }

    /** Units to a decimal string without trailing zeros ("10", "0.25"). */
    public static String format(long units) {
        return BigDecimal.valueOf(units).movePointLeft(DECIMALS).setScale(DECIMALS, RoundingMode.UNNECESSARY)
                .stripTrailingZeros().toPlainString();
    }

    /** Units as a human amount with the symbol, e.g. "10.5 CLO": for messages users read. */
    public static String display(long units) {
        return format(units) + " " + SYMBOL;
    }
}
