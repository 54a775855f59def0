package cloister.common;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Files that hold secrets (key files, the sim platform secret): created new and readable by their owner only. */
public final class OwnerOnlyFiles {
    private OwnerOnlyFiles() {}

    /**
     * Creates {@code file} with mode 600 from the start (on a POSIX file system; elsewhere the directory's own
     * permissions must protect it) and writes {@code bytes}; never replaces an existing file.
     *
     * @throws FileAlreadyExistsException if the file exists
     */
    public static void create(Path file, byte[] bytes) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        Files.write(file, bytes, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
