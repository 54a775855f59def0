package cloister.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cloister.common.Hash;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** FIPS 180-2 Appendix B (SHA-256) test vectors, plus the empty message. */
class Sha256Test {
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void fips180_2_oneBlockMessage() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Sha256.hash(ascii("abc")).hex());
    }

    @Test
    void fips180_2_multiBlockMessage() {
        assertEquals("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                Sha256.hash(ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).hex());
    }

    @Test
    void fips180_2_oneMillionA() {
        byte[] a = new byte[1_000_000];
        Arrays.fill(a, (byte) 'a');
        assertEquals("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", Sha256.hash(a).hex());
    }

    @Test
    void emptyMessage() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Sha256.hash(new byte[0]).hex());
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                cloister.common.Hex.encode(Sha256.digest(new byte[0])));
    }

    @Test
    void partsHashLikeTheirConcatenation() {
        Hash expected = Sha256.hash(ascii("abc"));
        assertEquals(expected, Sha256.hash(ascii("a"), ascii(""), ascii("bc")));
        assertEquals(expected, Sha256.hash(new byte[][] {ascii("abc")}));
    }

    @Test
    void taggedHashPrefixesTheTagByte() {
        // 0x61 is 'a': tag 'a' over "bc" must be SHA-256("abc").
        assertEquals(Sha256.hash(ascii("abc")), Sha256.hashTagged((byte) 0x61, ascii("b"), ascii("c")));
    }

    @Test
    void threadLocalDigestIsResetBetweenCalls() {
        Sha256.hash(ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Sha256.hash(ascii("abc")).hex());
    }
}
