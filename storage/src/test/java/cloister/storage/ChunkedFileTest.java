package cloister.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.crypto.EcdhKey;
import cloister.crypto.HpkeException;
import cloister.storage.chunk.ChunkedFile;
import cloister.storage.chunk.DataKeyWrap;
import cloister.storage.chunk.Manifest;
import cloister.storage.chunk.ManifestException;
import cloister.storage.cid.Cid;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkedFileTest {
    private static final int C = ChunkedFile.CHUNK_SIZE;
    private final Map<Cid, byte[]> blocks = new HashMap<>();

    private ChunkedFile.Encrypted put(byte[] data) throws IOException {
        return ChunkedFile.encrypt(new ByteArrayInputStream(data), data.length, "report.csv", "text/csv", blocks::put,
                ChunkedFile.Progress.NONE);
    }

    /** Decrypts with both {@link ChunkedFile#decrypt} and {@link ChunkedFile#decryptToBytes}: the same bytes, or the same refusal. */
    private byte[] get(Cid cid, byte[] key) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ManifestException streamed = null;
        try {
            ChunkedFile.decrypt(cid, key, blocks::get, out, ChunkedFile.Progress.NONE);
        } catch (ManifestException e) {
            streamed = e;
        }
        byte[] whole;
        try {
            whole = ChunkedFile.decryptToBytes(cid, key, blocks::get, Integer.MAX_VALUE);
        } catch (ManifestException e) {
            assertEquals(streamed == null ? null : streamed.getMessage(), e.getMessage(), "both paths refuse alike");
            throw e;
        }
        if (streamed != null) {
            throw new AssertionError("decrypt refused (" + streamed.getMessage() + ") but decryptToBytes did not");
        }
        assertArrayEquals(out.toByteArray(), whole);
        return whole;
    }

    @Test
    void filesOfEverySizeAroundChunkBoundariesRoundTrip() throws Exception {
        Random r = new Random(1);
        for (int size : new int[] {0, 1, C - 1, C, C + 1, 3 * C + 17}) {
            byte[] data = new byte[size];
            r.nextBytes(data);
            List<long[]> progress = new ArrayList<>();
            ChunkedFile.Encrypted e = ChunkedFile.encrypt(new ByteArrayInputStream(data), size, "f", "application/octet-stream",
                    blocks::put, (done, total) -> progress.add(new long[] {done, total}));
            Manifest m = e.manifest();
            assertEquals(Manifest.chunkCount(size, C), m.chunks().size());
            assertEquals(size, progress.get(progress.size() - 1)[0], "progress reaches the end");
            for (Manifest.ChunkRef ref : m.chunks()) {
                assertTrue(ref.cid().matches(blocks.get(ref.cid())), "each chunk is named by the CID of its ciphertext");
                assertEquals(Cid.RAW, ref.cid().codec());
            }
            assertEquals(m, Manifest.decode(blocks.get(e.cid())));
            assertEquals(e.cid(), Cid.raw(m.encode()), "the manifest's CID names the file");
            assertArrayEquals(data, get(e.cid(), e.dataKey()));
            ChunkedFile.Metadata meta = ChunkedFile.metadata(m, e.dataKey());
            assertEquals("f", meta.name());
            assertEquals("application/octet-stream", meta.mediaType());
        }
    }

    @Test
    void theSameFileEncryptsDifferentlyEachTimeAndNoPlaintextReachesABlock() throws Exception {
        byte[] canary = ("canary-" + Long.toHexString(new SecureRandom().nextLong())).getBytes(StandardCharsets.US_ASCII);
        byte[] data = new byte[2 * C + 100];
        for (int i = 0; i + canary.length <= data.length; i += canary.length) {
            System.arraycopy(canary, 0, data, i, canary.length);
        }
        ChunkedFile.Encrypted a = put(data);
        ChunkedFile.Encrypted b = put(data);
        assertFalse(a.cid().equals(b.cid()), "fresh key and nonces: no equality leak between uploads");
        String needle = new String(canary, StandardCharsets.ISO_8859_1);
        for (byte[] block : blocks.values()) {
            assertFalse(new String(block, StandardCharsets.ISO_8859_1).contains(needle), "plaintext in a block");
            assertFalse(new String(block, StandardCharsets.ISO_8859_1).contains("report.csv"), "the file name in a block");
        }
    }

    @Test
    void aWrongKeyACorruptOrMissingChunkOrAReorderedManifestIsCaughtWithTheChunk() throws Exception {
        byte[] data = new byte[3 * C];
        new Random(2).nextBytes(data);
        ChunkedFile.Encrypted e = put(data);
        byte[] otherKey = new byte[32];
        assertTrue(assertThrows(ManifestException.class, () -> get(e.cid(), otherKey)).getMessage().contains("does not decrypt"));

        Manifest m = e.manifest();
        Cid second = m.chunks().get(1).cid();
        byte[] original = blocks.get(second).clone();
        blocks.get(second)[100] ^= 1;
        assertTrue(assertThrows(ManifestException.class, () -> get(e.cid(), e.dataKey())).getMessage()
                .startsWith("chunk 1 (" + second + ") does not match its CID"));
        blocks.put(second, original);
        byte[] third = blocks.remove(m.chunks().get(2).cid());
        assertEquals("chunk 2 (" + m.chunks().get(2).cid() + ") is missing",
                assertThrows(ManifestException.class, () -> get(e.cid(), e.dataKey())).getMessage());
        blocks.put(m.chunks().get(2).cid(), third);
        assertArrayEquals(data, get(e.cid(), e.dataKey()), "whole again");
        // A manifest listing the same (valid) chunks in another order.
        List<Manifest.ChunkRef> swapped = new ArrayList<>(m.chunks());
        swapped.set(0, m.chunks().get(1));
        swapped.set(1, m.chunks().get(0));
        Manifest reordered = new Manifest(m.plaintextSize(), m.chunkSize(), swapped, m.sealedMetadata());
        byte[] rb = reordered.encode();
        blocks.put(Cid.raw(rb), rb);
        assertTrue(assertThrows(ManifestException.class, () -> get(Cid.raw(rb), e.dataKey())).getMessage()
                .equals("chunk 0 does not decrypt with this key"), "the AAD binds each chunk to its index");
    }

    @Test
    void decryptToBytesRefusesAFileLargerThanItsCallerExpects() throws Exception {
        byte[] data = new byte[C + 1];
        new Random(3).nextBytes(data);
        ChunkedFile.Encrypted e = put(data);
        assertArrayEquals(data, ChunkedFile.decryptToBytes(e.cid(), e.dataKey(), blocks::get, C + 1));
        assertEquals("the file holds " + (C + 1) + " bytes; at most " + C + " are expected here",
                assertThrows(ManifestException.class, () -> ChunkedFile.decryptToBytes(e.cid(), e.dataKey(), blocks::get, C)).getMessage());
    }

    @Test
    void anInputOfTheWrongLengthOrOverTheLimitIsRefused() {
        byte[] data = new byte[1000];
        assertThrows(IOException.class, () -> ChunkedFile.encrypt(new ByteArrayInputStream(data), 1001, "f", "", blocks::put,
                ChunkedFile.Progress.NONE));
        assertThrows(IOException.class, () -> ChunkedFile.encrypt(new ByteArrayInputStream(data), 999, "f", "", blocks::put,
                ChunkedFile.Progress.NONE));
        assertThrows(IllegalArgumentException.class, () -> ChunkedFile.encrypt(new ByteArrayInputStream(data), ChunkedFile.MAX_FILE + 1,
                "f", "", blocks::put, ChunkedFile.Progress.NONE));
    }

    @Test
    void malformedManifestsAreRefusedWithAReason() throws Exception {
        byte[] data = new byte[C + 5];
        ChunkedFile.Encrypted e = put(data);
        byte[] good = e.manifest().encode();
        assertTrue(assertThrows(ManifestException.class, () -> Manifest.decode("hello".getBytes(StandardCharsets.US_ASCII)))
                .getMessage().contains("not a Cloister file manifest"));
        for (int cut : new int[] {3, 10, 30, good.length - 1}) {
            assertThrows(ManifestException.class, () -> Manifest.decode(java.util.Arrays.copyOf(good, cut)), "cut at " + cut);
        }
        byte[] wrongCount = good.clone();
        wrongCount[20] = 9; // chunk count's low byte
        assertThrows(ManifestException.class, () -> Manifest.decode(wrongCount));
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        assertThrows(ManifestException.class, () -> Manifest.decode(longer));
        // A block that is not the manifest its CID names.
        blocks.put(e.cid(), longer);
        assertTrue(assertThrows(ManifestException.class, () -> get(e.cid(), e.dataKey())).getMessage().contains("does not match the CID"));
    }

    @Test
    void theDataKeyIsWrappedForOneRecipientAndOneFile() throws Exception {
        ChunkedFile.Encrypted e = put(new byte[10]);
        EcdhKey owner = EcdhKey.generate(new SecureRandom());
        byte[] wrapped = DataKeyWrap.wrap(owner.publicKey(), e.cid(), e.dataKey());
        assertEquals(DataKeyWrap.WRAPPED_LENGTH, wrapped.length);
        assertArrayEquals(e.dataKey(), DataKeyWrap.unwrap(owner, e.cid(), wrapped));
        assertThrows(HpkeException.class, () -> DataKeyWrap.unwrap(EcdhKey.generate(new SecureRandom()), e.cid(), wrapped));
        assertThrows(HpkeException.class, () -> DataKeyWrap.unwrap(owner, Cid.raw(new byte[1]), wrapped), "bound to the file");
    }
}
