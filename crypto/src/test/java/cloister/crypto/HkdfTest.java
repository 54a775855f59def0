package cloister.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import cloister.common.Hex;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 5869 Appendix A test cases 1–3 (HKDF-SHA256) and the input limits. */
class HkdfTest {
    record Vector(String name, byte[] ikm, byte[] salt, byte[] info, int length, String prk, String okm) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static byte[] range(int from, int toInclusive) {
        byte[] b = new byte[toInclusive - from + 1];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    static Stream<Vector> rfc5869() {
        return Stream.of(
                new Vector("A.1 basic", filled(22, 0x0b), range(0x00, 0x0c), range(0xf0, 0xf9), 42,
                        "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
                        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
                new Vector("A.2 longer inputs and outputs", range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82,
                        "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
                        "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                                + "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                                + "cc30c58179ec3e87c14c01d5c1f3434f1d87"),
                new Vector("A.3 zero-length salt and info", filled(22, 0x0b), new byte[0], new byte[0], 42,
                        "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
                        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"));
    }

    @ParameterizedTest
    @MethodSource("rfc5869")
    void extractGivesThePrk(Vector v) {
        assertEquals(v.prk(), Hex.encode(Hkdf.extract(v.salt(), v.ikm())));
    }

    @ParameterizedTest
    @MethodSource("rfc5869")
    void expandGivesTheOkm(Vector v) {
        assertEquals(v.okm(), Hex.encode(Hkdf.expand(Hex.decode(v.prk()), v.info(), v.length())));
    }

    @ParameterizedTest
    @MethodSource("rfc5869")
    void deriveIsExtractThenExpand(Vector v) {
        assertEquals(v.okm(), Hex.encode(Hkdf.derive(v.salt(), v.ikm(), v.info(), v.length())));
    }

    @Test
    void absentEmptyAndZeroSaltAreTheSame() {
        // RFC 5869 §2.2: "if not provided, [salt] is set to a string of HashLen zeros".
        byte[] ikm = filled(22, 0x0b);
        byte[] zero = Hkdf.extract(new byte[Hkdf.HASH_LENGTH], ikm);
        assertArrayEquals(zero, Hkdf.extract(null, ikm));
        assertArrayEquals(zero, Hkdf.extract(new byte[0], ikm));
    }

    @Test
    void infoPartsAreConcatenated() {
        byte[] prk = Hex.decode("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
        byte[] info = range(0xf0, 0xf9);
        assertArrayEquals(Hkdf.expand(prk, info, 42),
                Hkdf.expandParts(prk, 42, Arrays.copyOf(info, 3), new byte[0], Arrays.copyOfRange(info, 3, 10)));
        assertArrayEquals(Hkdf.extract(range(0, 12), filled(22, 0x0b)),
                Hkdf.extractParts(range(0, 12), filled(10, 0x0b), filled(12, 0x0b)));
    }

    @Test
    void shorterOutputsArePrefixesOfLongerOnes() {
        byte[] prk = Hkdf.extract(null, filled(32, 7));
        byte[] full = Hkdf.expand(prk, new byte[] {1, 2, 3}, Hkdf.MAX_OUTPUT_LENGTH);
        assertEquals(8160, full.length);
        for (int n : new int[] {0, 1, 31, 32, 33, 64, 65, 8159}) {
            assertArrayEquals(Arrays.copyOf(full, n), Hkdf.expand(prk, new byte[] {1, 2, 3}, n), "length " + n);
        }
    }

    @Test
    void refusesOutOfRangeLengthsAndShortKeys() {
        byte[] prk = new byte[32];
        assertThrows(IllegalArgumentException.class, () -> Hkdf.expand(prk, new byte[0], Hkdf.MAX_OUTPUT_LENGTH + 1));
        assertThrows(IllegalArgumentException.class, () -> Hkdf.expand(prk, new byte[0], -1));
        assertThrows(IllegalArgumentException.class, () -> Hkdf.expand(new byte[31], new byte[0], 32));
        assertThrows(IllegalArgumentException.class, () -> Hkdf.expand(new byte[0], new byte[0], 32));
    }
}
