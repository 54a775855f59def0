package cloister.worker.wasm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The example contracts shipped in the worker jar. Their WAT sources are {@code worker/src/main/wat/*.wat}; the
 * build compiles them with wat2wasm into resources {@code cloister/worker/wasm/examples/NAME.wasm}. Each source
 * file's header documents its inputs, outputs and state.
 */
public enum ExampleContract {
    /** A counter: increment (by 1 or an amount), read. */
    COUNTER("counter"),
    /** A sealed-bid auction: bids hidden until the owner closes it; then only the winner and price are readable. */
    SEALED_BID_AUCTION("auction"),
    /** A private vote: ballots hidden, tallies readable after the owner closes the vote. */
    PRIVATE_VOTE("vote"),
    /** Iterated SHA-256, in WebAssembly or through the host: the compute-heavy benchmark contract. */
    HASH_LOOP("hashloop");

    private final String fileName;

    ExampleContract(String fileName) {
        this.fileName = fileName;
    }

    /** The source's base name, e.g. {@code auction} for {@code auction.wat}. */
    public String fileName() {
        return fileName;
    }

    /** The compiled module's bytes. */
    public byte[] wasm() {
        String resource = "/cloister/worker/wasm/examples/" + fileName + ".wasm";
        try (InputStream in = ExampleContract.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing: the build compiles it from src/main/wat");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
