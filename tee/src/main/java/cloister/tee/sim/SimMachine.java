package cloister.tee.sim;

import cloister.common.OwnerOnlyFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The simulated machine: a 32-byte platform secret (the stand-in for a CPU's fused sealing secret), kept in a file
 * {@code platform-secret} (mode 600). Sealing keys derive from it and the enclave's measurement.
 */
public final class SimMachine {
    static final String SECRET_FILE = "platform-secret";
    private final byte[] secret;

    private SimMachine(byte[] secret) {
        this.secret = secret;
    }

    /** A machine that exists only in memory (tests): its sealed blobs die with it. */
    public static SimMachine ephemeral(SecureRandom random) {
        byte[] s = new byte[32];
        random.nextBytes(s);
        return new SimMachine(s);
    }

    public static SimMachine loadOrCreate(Path dir) {
        Path file = dir.resolve(SECRET_FILE);
        try {
            if (Files.exists(file)) {
                byte[] s = Files.readAllBytes(file);
                if (s.length != 32) {
                    throw new IOException("platform secret " + file + " is not 32 bytes");
                }
                return new SimMachine(s);
            }
            Files.createDirectories(dir);
            byte[] s = new byte[32];
            new SecureRandom().nextBytes(s);
            OwnerOnlyFiles.create(file, s);
            return new SimMachine(s);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the sim platform secret in " + dir, e);
        }
    }

    byte[] secret() {
        return secret;
    }

    @Override
    public String toString() {
        return "SimMachine[secret hidden]";
    }
}
