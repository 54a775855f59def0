package cloister.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloister.storage.cid.Cid;
import cloister.storage.chunk.ChunkedFile;
import cloister.storage.store.BlockMismatchException;
import cloister.storage.store.DiskChunkStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskChunkStoreTest {
    @TempDir
    Path dir;

    private static byte[] block(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private Path fileOf(Cid cid) throws Exception {
        try (Stream<Path> s = Files.walk(dir.resolve("blocks"))) {
            return s.filter(p -> p.getFileName().toString().equals(cid.toString())).findFirst().orElseThrow();
        }
    }

    @Test
    void blocksAreStoredByCidCheckedCountedAndDeleted() throws Exception {
        Random r = new Random(3);
        try (DiskChunkStore s = DiskChunkStore.open(dir, false)) {
            byte[] a = block(r, 1000);
            byte[] b = block(r, 5000);
            Cid ca = Cid.raw(a);
            assertTrue(s.put(ca, a));
            assertFalse(s.put(ca, a), "already there: nothing written");
            assertTrue(s.put(Cid.raw(b), b));
            assertArrayEquals(a, s.get(ca).orElseThrow());
            assertEquals(1000, s.size(ca).orElseThrow());
            assertEquals(2, s.count());
            assertEquals(6000, s.bytes());
            String why = assertThrows(BlockMismatchException.class, () -> s.put(ca, b)).getMessage();
            assertTrue(why.contains("do not match " + ca), why);
            assertThrows(BlockMismatchException.class, () -> s.put(Cid.raw(new byte[ChunkedFile.MAX_BLOCK + 1]),
                    new byte[ChunkedFile.MAX_BLOCK + 1]));
            assertTrue(s.delete(ca));
            assertFalse(s.delete(ca));
            assertTrue(s.get(ca).isEmpty());
            assertEquals(1, s.count());
            assertEquals(5000, s.bytes());
        }
    }

    @Test
    void aFileStoredAndReopenedDecryptsAndAFlippedByteOnDiskIsVisible() throws Exception {
        byte[] data = block(new Random(4), 3 * ChunkedFile.CHUNK_SIZE + 5);
        ChunkedFile.Encrypted e;
        try (DiskChunkStore s = DiskChunkStore.open(dir, true)) {
            e = ChunkedFile.encrypt(new ByteArrayInputStream(data), data.length, "x", "", (cid, blk) -> {
                try {
                    s.put(cid, blk);
                } catch (BlockMismatchException ex) {
                    throw new AssertionError(ex);
                }
            }, ChunkedFile.Progress.NONE);
            assertEquals(5, s.count(), "4 chunks and the manifest");
        }
        try (DiskChunkStore s = DiskChunkStore.open(dir, false)) {
            assertEquals(5, s.count(), "the index survives a restart");
            List<Cid> all = new ArrayList<>();
            s.forEach(all::add);
            assertEquals(5, all.size());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ChunkedFile.decrypt(e.cid(), e.dataKey(), cid -> s.get(cid).orElse(null), out, ChunkedFile.Progress.NONE);
            assertArrayEquals(data, out.toByteArray());
            Cid chunk = e.manifest().chunks().get(2).cid();
            Path f = fileOf(chunk);
            byte[] onDisk = Files.readAllBytes(f);
            onDisk[777] ^= 0x10;
            Files.write(f, onDisk);
            assertFalse(chunk.matches(s.get(chunk).orElseThrow()), "the store returns what is on disk; the check sees the flip");
        }
    }

    @Test
    void afterACrashTheIndexAndTheFilesAreReconciled() throws Exception {
        Random r = new Random(5);
        byte[] kept = block(r, 300);
        byte[] lost = block(r, 400);
        try (DiskChunkStore s = DiskChunkStore.open(dir, false)) {
            s.put(Cid.raw(kept), kept);
            s.put(Cid.raw(lost), lost);
        }
        Path lostFile = fileOf(Cid.raw(lost));
        Files.delete(lostFile);                                        // indexed, file gone
        byte[] orphan = block(r, 500);                                 // file moved into place, index not yet written
        Cid orphanCid = Cid.raw(orphan);
        Path orphanPath = lostFile.getParent().getParent().getParent()
                .resolve(java.util.HexFormat.of().toHexDigits(orphanCid.digest()[0]))
                .resolve(java.util.HexFormat.of().toHexDigits(orphanCid.digest()[1])).resolve(orphanCid.toString());
        Files.createDirectories(orphanPath.getParent());
        Files.write(orphanPath, orphan);
        byte[] bad = block(r, 200);                                    // a file whose bytes do not match its name
        Cid badCid = Cid.raw(block(r, 200));
        Path badPath = orphanPath.resolveSibling(badCid.toString());
        Files.write(badPath, bad);
        Path tmp = orphanPath.resolveSibling("partial.tmp");          // a write cut short
        Files.write(tmp, bad);
        try (DiskChunkStore s = DiskChunkStore.open(dir, false)) {
            assertTrue(s.has(Cid.raw(kept)));
            assertFalse(s.has(Cid.raw(lost)), "the missing file is unindexed");
            assertArrayEquals(orphan, s.get(orphanCid).orElseThrow(), "the complete orphan is adopted");
            assertFalse(s.has(badCid));
            assertFalse(Files.exists(badPath), "a corrupt orphan is removed");
            assertFalse(Files.exists(tmp), "a partial write is removed");
            assertEquals(2, s.count());
            assertEquals(800, s.bytes());
        }
    }
}
