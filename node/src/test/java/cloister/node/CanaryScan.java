package cloister.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Scans what a test network wrote to disk for a planted plaintext value. */
public final class CanaryScan {
    private CanaryScan() {}

    /** Every regular file below {@code dir} whose bytes contain {@code needle}. */
    public static List<Path> filesContaining(Path dir, byte[] needle) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).filter(p -> contains(p, needle)).toList();
        }
    }

    private static boolean contains(Path p, byte[] needle) {
        try {
            byte[] hay = Files.readAllBytes(p);
            outer:
            for (int i = 0; i + needle.length <= hay.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (hay[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        } catch (IOException e) {
            return false; // a file deleted while walking (RocksDB compaction, block store)
        }
    }
}
