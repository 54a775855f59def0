package cloister.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.common.Hex;
import cloister.storage.cid.Base32;
import cloister.storage.cid.Cid;
import cloister.storage.cid.CidFormatException;
import cloister.storage.cid.Varint;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** CIDv1 and its parts against published vectors; refusals with reasons. */
class CidTest {
    @Test
    void rawBlockCidsMatchThePublishedOnes() {
        // The CIDs IPFS gives these raw blocks (`ipfs block put --cid-codec raw`), as published in the IPFS docs and specs.
        assertEquals("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e",
                Cid.raw("hello world".getBytes(StandardCharsets.US_ASCII)).toString());
        assertEquals("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", Cid.raw(new byte[0]).toString());
        Cid c = Cid.raw("hello world".getBytes(StandardCharsets.US_ASCII));
        assertEquals("01551220b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9", Hex.encode(c.bytes()));
        assertEquals("1220b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9", Hex.encode(c.multihash()));
        assertEquals(Cid.TEXT_LENGTH, c.toString().length());
    }

    @Test
    void base32MatchesRfc4648Section10InLowerCaseWithoutPadding() throws Exception {
        String[][] vectors = {{"", ""}, {"f", "my"}, {"fo", "mzxq"}, {"foo", "mzxw6"}, {"foob", "mzxw6yq"}, {"fooba", "mzxw6ytb"},
            {"foobar", "mzxw6ytboi"}};
        for (String[] v : vectors) {
            assertEquals(v[1], Base32.encode(v[0].getBytes(StandardCharsets.US_ASCII)));
            assertArrayEquals(v[0].getBytes(StandardCharsets.US_ASCII), Base32.decode(v[1]));
        }
        Random r = new Random(5);
        for (int i = 0; i < 500; i++) {
            byte[] b = new byte[r.nextInt(70)];
            r.nextBytes(b);
            assertArrayEquals(b, Base32.decode(Base32.encode(b)));
        }
        assertThrows(CidFormatException.class, () -> Base32.decode("MZXW6"), "upper case");
        assertThrows(CidFormatException.class, () -> Base32.decode("mzxw1"), "'1' is not base32");
        assertThrows(CidFormatException.class, () -> Base32.decode("mzx"), "3 characters cannot be whole bytes");
        assertThrows(CidFormatException.class, () -> Base32.decode("mz"), "non-zero padding bits: 'f' is 'my'");
    }

    @Test
    void varintsMatchTheMultiformatsSpec() throws Exception {
        long[] values = {1, 127, 128, 255, 300, 16384};
        String[] hex = {"01", "7f", "8001", "ff01", "ac02", "808001"};
        for (int i = 0; i < values.length; i++) {
            assertEquals(hex[i], Hex.encode(Varint.encode(values[i])));
            assertEquals(values[i], Varint.read(Hex.decode(hex[i]), 0).value());
        }
        assertEquals(Long.MAX_VALUE, Varint.read(Varint.encode(Long.MAX_VALUE), 0).value());
        assertThrows(CidFormatException.class, () -> Varint.read(Hex.decode("8100"), 0), "not minimal");
        assertThrows(CidFormatException.class, () -> Varint.read(Hex.decode("80"), 0), "truncated");
        assertThrows(CidFormatException.class, () -> Varint.read(Hex.decode("ffffffffffffffffff01"), 0), "10 bytes");
    }

    @Test
    void parseRoundTripsAndMatches() throws Exception {
        Random r = new Random(9);
        for (int i = 0; i < 200; i++) {
            byte[] block = new byte[r.nextInt(3000)];
            r.nextBytes(block);
            Cid c = Cid.raw(block);
            assertEquals(c, Cid.parse(c.toString()));
            assertEquals(c, Cid.fromBytes(c.bytes()));
            assertTrue(c.matches(block));
            if (block.length > 0) {
                block[r.nextInt(block.length)] ^= 1;
                assertFalse(c.matches(block));
            }
        }
    }

    @Test
    void malformedCidsAreRefusedWithAReason() {
        assertEquals("empty CID", message(""));
        assertTrue(message("QmZPhawDdx4KWQG5eNG8A6hVnZwSxJLPCqkDt9kSGTWK27").contains("CIDv0"));
        assertTrue(message("zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA").contains("base58btc"));
        assertTrue(message("BAFKREIFZJUT3TE2NHYEKKLSS27NH3K72YSCO7Y32KOAO5EEI66WOF36N5E").contains("upper case"));
        assertTrue(message("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5").contains("base32"), "one character short");
        String good = Cid.raw(new byte[1]).toString();
        assertTrue(message(good.substring(0, good.length() - 8)).length() > 0, "truncated digest");
        // Version 2, a sha-512 multihash, a digest of the wrong length, trailing bytes.
        assertTrue(message("b" + Base32.encode(Hex.decode("025512200000000000000000000000000000000000000000000000000000000000000000"))).contains("version 2"));
        assertTrue(message("b" + Base32.encode(Hex.decode("01551340" + "00".repeat(64)))).contains("sha2-256"));
        assertTrue(message("b" + Base32.encode(Hex.decode("01551210" + "00".repeat(16)))).contains("32 bytes"));
        assertTrue(message("b" + Base32.encode(Hex.decode("01551220" + "00".repeat(33)))).contains("after the digest"));
        assertTrue(message("x".repeat(500)).contains("too long"));
    }

    private static String message(String text) {
        return assertThrows(CidFormatException.class, () -> Cid.parse(text)).getMessage();
    }
}
