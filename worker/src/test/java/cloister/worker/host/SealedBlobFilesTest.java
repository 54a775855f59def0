package cloister.worker.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealedBlobFilesTest {
    @TempDir
    Path dir;

    @Test
    void storesReplacesAndLoadsBlobsAsFiles() throws IOException {
        SealedBlobFiles files = new SealedBlobFiles(dir.resolve("enclave"));
        assertEquals(Optional.empty(), files.load("state"));
        files.store("state", new byte[] {1, 2, 3});
        files.store("state", new byte[] {4, 5});
        assertArrayEquals(new byte[] {4, 5}, files.load("state").orElseThrow());
        assertArrayEquals(new byte[] {4, 5}, new SealedBlobFiles(dir.resolve("enclave")).load("state").orElseThrow());
        try (Stream<Path> s = Files.list(dir.resolve("enclave"))) {
            assertEquals(java.util.List.of("state.sealed"), s.map(p -> p.getFileName().toString()).toList(), "no temporary file left");
        }
    }

    @Test
    void refusesNamesThatCouldEscapeTheDirectory() {
        SealedBlobFiles files = new SealedBlobFiles(dir);
        for (String bad : new String[] {"../keys", "a/b", "", "Keys", "x".repeat(65)}) {
            assertThrows(IllegalArgumentException.class, () -> files.store(bad, new byte[0]), bad);
        }
    }

    @Test
    void configIsValidated() {
        WorkerConfig ok = WorkerConfig.defaults(dir, "0.1.0");
        assertEquals("127.0.0.1", ok.httpHost());
        assertThrows(IllegalArgumentException.class, () -> ok.withHttpPort(70_000));
        assertThrows(IllegalArgumentException.class, () -> ok.withSyncBatch(0));
        assertThrows(IllegalArgumentException.class, () -> ok.withSyncBatch(10_001));
        assertTrue(ok.withHttpPort(-1).httpPort() == -1);
    }
}
