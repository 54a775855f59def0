package cloister.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokensTest {
    @Test
    void wholeTokens() {
        assertEquals(0L, Tokens.of(0));
        assertEquals(10_000_000_000L, Tokens.of(10));
        assertThrows(ArithmeticException.class, () -> Tokens.of(Long.MAX_VALUE / 1_000_000_000L + 1));
    }

    @Test
    void parsesDecimals() {
        assertEquals(10_000_000_000L, Tokens.parse("10"));
        assertEquals(250_000_000L, Tokens.parse("0.25"));
        assertEquals(1L, Tokens.parse("0.000000001"));
        assertEquals(1_000_000_001L, Tokens.parse("1.000000001"));
        assertEquals(1_500_000_000L, Tokens.parse(" 1.5 "));
        assertEquals(0L, Tokens.parse("0"));
        assertEquals(0L, Tokens.parse("0.000000000"));
        // Trailing zeros beyond 9 decimals carry no precision and are accepted.
        assertEquals(1L, Tokens.parse("0.0000000010000"));
        assertEquals(Long.MAX_VALUE, Tokens.parse("9223372036.854775807"));
    }

    @Test
    void refusesMoreThanNineDecimals() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokens.parse("0.0000000001"));
        assertTrue(e.getMessage().contains("decimals"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tokens.parse("1.0000000015"));
    }

    @Test
    void refusesNegative() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokens.parse("-1"));
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tokens.parse("-0.000000001"));
    }

    @Test
    void refusesTooLarge() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokens.parse("9223372036.854775808"));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tokens.parse("10000000000"));
        assertThrows(IllegalArgumentException.class, () -> Tokens.parse("1e100"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "abc", "1,5", "1.2.3", "0x10", "NaN", "Infinity", "1 000"})
    void refusesNonNumbers(String text) {
        assertThrows(IllegalArgumentException.class, () -> Tokens.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e2147483647", "1E+2147483647", "1e-2147483647"})
    void extremeExponentsAreRefusedWithIllegalArgument(String text) {
        // The contract is IllegalArgumentException for every bad input, so the CLI/API can report it as a value.
        assertThrows(IllegalArgumentException.class, () -> Tokens.parse(text));
    }

    @Test
    void formatsWithoutTrailingZeros() {
        assertEquals("0", Tokens.format(0));
        assertEquals("10", Tokens.format(10_000_000_000L));
        assertEquals("0.25", Tokens.format(250_000_000L));
        assertEquals("0.000000001", Tokens.format(1));
        assertEquals("1.000000001", Tokens.format(1_000_000_001L));
        assertEquals("100", Tokens.format(100_000_000_000L));
        assertEquals("9223372036.854775807", Tokens.format(Long.MAX_VALUE));
    }

    @Test
    void formatThenParseRoundTrips() {
        long[] values = {0, 1, 9, 10, 999_999_999, 1_000_000_000, 1_234_567_890_123L, Long.MAX_VALUE};
        for (long v : values) {
            assertEquals(v, Tokens.parse(Tokens.format(v)), "units " + v);
        }
    }
}
