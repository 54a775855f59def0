package cloister.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HexTest {
    @Test
    void encodesLowerCase() {
        assertEquals("", Hex.encode(new byte[0]));
        assertEquals("00ff7f80", Hex.encode(new byte[] {0, (byte) 0xff, 0x7f, (byte) 0x80}));
        assertEquals("0123456789abcdef", Hex.encode(new byte[] {0x01, 0x23, 0x45, 0x67, (byte) 0x89, (byte) 0xab, (byte) 0xcd, (byte) 0xef}));
    }

    @Test
    void decodesEitherCaseAndOptionalPrefix() {
        byte[] expected = {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef};
        assertArrayEquals(expected, Hex.decode("deadbeef"));
        assertArrayEquals(expected, Hex.decode("DEADBEEF"));
        assertArrayEquals(expected, Hex.decode("0xdeadbeef"));
        assertArrayEquals(expected, Hex.decode("0XDeadBeef"));
        assertArrayEquals(new byte[0], Hex.decode(""));
        assertArrayEquals(new byte[0], Hex.decode("0x"));
    }

    @Test
    void roundTripsRandomBytes() {
        Random random = new Random(42);
        for (int n = 0; n < 100; n++) {
            byte[] b = new byte[n];
            random.nextBytes(b);
            assertArrayEquals(b, Hex.decode(Hex.encode(b)));
        }
    }

    @Test
    void refusesOddLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hex.decode("abc"));
        assertTrue(e.getMessage().contains("odd length"), e.getMessage());
    }

    @Test
    void refusesNonHexCharactersNamingThePosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hex.decode("00zz"));
        assertTrue(e.getMessage().contains("position 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Hex.decode("0g"));
        assertThrows(IllegalArgumentException.class, () -> Hex.decode(" 0"));
        assertThrows(IllegalArgumentException.class, () -> Hex.decode("-1"));
    }

    @Test
    void refusesNonAsciiDigits() {
        // Character.digit accepts Unicode decimal digits (fullwidth, Arabic-Indic, ...): "hex digits only" must not.
        assertThrows(IllegalArgumentException.class, () -> Hex.decode("\uff10\uff11"));
        assertThrows(IllegalArgumentException.class, () -> Hex.decode("\u0661\u0662"));
        assertThrows(IllegalArgumentException.class, () -> Hex.decode("\uff41\uff42"));
    }
}
