package cloister.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** BIP-350 test vectors for the bech32m encoding (the checksum part, not segwit addresses). */
class Bech32mTest {
    /** BIP-350 "Test vectors for Bech32m", valid strings. */
    @ParameterizedTest
    @ValueSource(strings = {
        "A1LQFN3A",
        "a1lqfn3a",
        "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
        "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
        "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
        "?1v759aa",
    })
    void validBip350StringsDecodeAndReEncode(String s) {
        Bech32m.Decoded5 d = Bech32m.decode5(s);
        assertEquals(s.toLowerCase(Locale.ROOT), Bech32m.encode5(d.hrp(), d.values()));
    }

    @Test
    void validBip350NinetyCharacterString() {
        // "11" + 83 × 'l' + "udsr8" in BIP-350: HRP "1", the maximum length of 90.
        String s = "11" + "l".repeat(83) + "udsr8";
        assertEquals(90, s.length());
        Bech32m.Decoded5 d = Bech32m.decode5(s);
        assertEquals("1", d.hrp());
        assertEquals(82, d.values().length);
        assertEquals(s, Bech32m.encode5(d.hrp(), d.values()));
    }

    @Test
    void validVectorsDecodeToTheirDataValues() {
        // "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx": data part is the charset in reverse order (31..0).
        Bech32m.Decoded5 d = Bech32m.decode5("abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx");
        assertEquals("abcdef", d.hrp());
        byte[] expected = new byte[32];
        for (int i = 0; i < 32; i++) {
            expected[i] = (byte) (31 - i);
        }
        assertArrayEquals(expected, d.values());
        assertEquals(0, Bech32m.decode5("A1LQFN3A").values().length);
        assertEquals("a", Bech32m.decode5("A1LQFN3A").hrp());
    }

    /** BIP-350 invalid strings, each with the problem the spec names. */
    @ParameterizedTest
    @ValueSource(strings = {
        "\u00201xj0phk",        // HRP character out of range (0x20)
        "\u007f1g6xzxy",        // HRP character out of range (0x7f)
        "\u00801vctc34",        // HRP character out of range (0x80)
        "an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4", // too long (91)
        "qyrz8wqd2c9m",         // no separator character
        "1qyrz8wqd2c9m",        // empty HRP
        "y1b0jsk6g",            // invalid data character
        "lt1igcx5c0",           // invalid data character
        "in1muywd",             // too short checksum
        "mm1crxm3i",            // invalid character in checksum
        "au1s5cgom",            // invalid character in checksum
        "M1VUXWEZ",             // checksum calculated with uppercase form of HRP
        "16plkw9",              // empty HRP
        "1p2gdwpf",             // empty HRP
    })
    void invalidBip350StringsAreRefused(String s) {
        assertThrows(IllegalArgumentException.class, () -> Bech32m.decode5(s));
    }

    @Test
    void refusalMessagesNameTheProblem() {
        assertMessage("too long", "an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4");
        assertMessage("invalid character", "\u00201xj0phk");
        assertMessage("separator", "qyrz8wqd2c9m");
        assertMessage("separator", "1qyrz8wqd2c9m");
        assertMessage("invalid character", "y1b0jsk6g");
        assertMessage("too short", "in1muywd");
        assertMessage("checksum", "M1VUXWEZ");
        assertMessage("mixes upper and lower case", "A1lqfn3a");
    }

    @Test
    void mixedCaseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Bech32m.decode5("a1LQFN3A"));
        assertThrows(IllegalArgumentException.class, () -> Bech32m.decode5("Abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // BIP-173 valid *bech32* strings: the bech32 constant 1 differs from bech32m's 0x2bc830a3, so all refused.
        "A12UEL5L",
        "a12uel5l",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        "?1ezyfcl",
    })
    void bech32NotMChecksumsAreRefused(String s) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Bech32m.decode5(s));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void eightBitPayloadRoundTrips() {
        Random random = new Random(350);
        for (int n = 0; n <= 50; n++) {
            byte[] data = new byte[n];
            random.nextBytes(data);
            String s = Bech32m.encode("clo", data);
            Bech32m.Decoded d = Bech32m.decode(s);
            assertEquals("clo", d.hrp());
            assertArrayEquals(data, d.data(), "length " + n);
            assertArrayEquals(data, Bech32m.decode(s.toUpperCase(Locale.ROOT)).data(), "upper case form");
        }
    }

    @Test
    void nonZeroPaddingIsRefused() {
        // One 8-bit byte is 2 five-bit values with 2 padding bits; set them and re-checksum.
        byte[] values = {0, 1};
        String s = Bech32m.encode5("clo", values);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Bech32m.decode(s));
        assertTrue(e.getMessage().contains("padding"), e.getMessage());
        // Five or more padding bits is a whole extra 5-bit group: also refused.
        assertThrows(IllegalArgumentException.class, () -> Bech32m.decode(Bech32m.encode5("clo", new byte[] {0, 0, 0})));
    }

    private static void assertMessage(String expected, String input) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Bech32m.decode5(input));
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should say '" + expected + "'");
    }
}
