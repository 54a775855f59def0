package cloister.market.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Our strict UTF-8 checks agree with the JDK's strict (REPORT) decoder and encoder. */
class Utf8Test {
    @Test
    void validAgreesWithTheJdkOnRandomBytes() {
        Random rnd = new Random(7);
        byte[] interesting = {0x00, 0x7F, (byte) 0x80, (byte) 0xBF, (byte) 0xC0, (byte) 0xC1, (byte) 0xC2, (byte) 0xDF, (byte) 0xE0,
            (byte) 0xED, (byte) 0xEF, (byte) 0xF0, (byte) 0xF4, (byte) 0xF5, (byte) 0xFF, (byte) 0x9F, (byte) 0xA0, (byte) 0x90, (byte) 0x8F};
        for (int round = 0; round < 100_000; round++) {
            byte[] b = new byte[rnd.nextInt(7)];
            for (int i = 0; i < b.length; i++) {
                b[i] = rnd.nextBoolean() ? interesting[rnd.nextInt(interesting.length)] : (byte) rnd.nextInt(256);
            }
            assertEquals(jdkValid(b), Utf8.valid(b, 0, b.length), () -> java.util.HexFormat.of().formatHex(b));
        }
    }

    @Test
    void encodeAgreesWithTheJdkAndRefusesUnpairedSurrogates() {
        Random rnd = new Random(8);
        char[] interesting = {'a', 'é', '\u07FF', '\u0800', '東', '\uFFFF', '\uD83D', '\uDE00', '\uDBFF', '\uDC00'};
        byte[] dst = new byte[64];
        for (int round = 0; round < 100_000; round++) {
            char[] cs = new char[rnd.nextInt(6)];
            for (int i = 0; i < cs.length; i++) {
                cs[i] = rnd.nextBoolean() ? interesting[rnd.nextInt(interesting.length)] : (char) rnd.nextInt(0x10000);
            }
            String s = new String(cs);
            byte[] expected = jdkEncode(s);
            int n = Utf8.encode(s, dst, 3);
            if (expected == null) {
                assertEquals(-1, n, s);
            } else {
                assertArrayEquals(expected, java.util.Arrays.copyOfRange(dst, 3, 3 + n), s);
            }
        }
    }

    private static boolean jdkValid(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static byte[] jdkEncode(String s) {
        try {
            ByteBuffer out = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
            byte[] b = new byte[out.remaining()];
            out.get(b);
            return b;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
