package cloister.node.tee;

import cloister.tee.Measurement;
import cloister.tee.sim.SimPlatform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.stream.Stream;

/**
 * The worker code artifact this process runs, and its sim measurement. The artifact is where the worker module's
 * classes come from: the {@code cloister-worker} jar (built reproducibly, so the same sources give the same bytes
 * and the same measurement) or, in a development build, its classes directory — digested as SHA-256 over every
 * file's (relative path, contents) in path order, each length-prefixed.
 */
public final class WorkerBuild {
    private WorkerBuild() {}

    /** The sim measurement of the worker code that contains {@code anchor}, at {@code version}. */
    public static Measurement measurement(Class<?> anchor, String version) {
        return SimPlatform.measure(artifactDigest(anchor), version);
    }

    /** SHA-256 of the artifact (jar or classes directory) that {@code anchor} was loaded from. */
    public static byte[] artifactDigest(Class<?> anchor) {
        CodeSource source = anchor.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalStateException("cannot locate the code of " + anchor.getName());
        }
        try {
            Path p = Path.of(source.getLocation().toURI());
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            if (Files.isDirectory(p)) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(p)) {
                    files = walk.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path f : files) {
                    byte[] name = p.relativize(f).toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8);
                    byte[] content = Files.readAllBytes(f);
                    sha.update(ByteBuffer.allocate(4).putInt(name.length).array());
                    sha.update(name);
                    sha.update(ByteBuffer.allocate(8).putLong(content.length).array());
                    sha.update(content);
                }
            } else {
                sha.update(Files.readAllBytes(p));
            }
            return sha.digest();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the worker artifact", e);
        } catch (URISyntaxException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot digest the worker artifact", e);
        }
    }
}
