package cloister.worker.host;

import cloister.worker.EnclaveHost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The host's side of enclave persistence: each sealed blob is a file {@code <dir>/<name>.sealed}, written to a
 * temporary file, synced, then atomically renamed over the old one — after a crash the old or the new blob is
 * there, never half of one. The host cannot read them (they are sealed to the enclave's measurement).
 */
public final class SealedBlobFiles implements EnclaveHost {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,63}");
    private final Path dir;

    public SealedBlobFiles(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the sealed-state directory " + dir, e);
        }
    }

    @Override
    public void store(String name, byte[] sealedBlob) {
        Path target = file(name);
        Path tmp = dir.resolve(name + ".sealed.tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(sealedBlob));
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write sealed " + name + " in " + dir, e);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace sealed " + name + " in " + dir, e);
        }
    }

    @Override
    public Optional<byte[]> load(String name) {
        try {
            return Optional.of(Files.readAllBytes(file(name)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sealed " + name + " in " + dir, e);
        }
    }

    private Path file(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a sealed blob name: " + name);
        }
        return dir.resolve(name + ".sealed");
    }
}
