package cloister.worker;

import java.util.Optional;

/**
 * What the enclave asks of its host (the "ocalls"): persistence of sealed blobs, and nothing else. Blobs are
 * sealed by the enclave's platform before they leave it, so the host stores ciphertext only. Names are short
 * lower-case words ({@code keys}, {@code state}).
 */
public interface EnclaveHost {
    /** Stores (replaces) the blob {@code name} durably and atomically: after a crash, the old or the new blob is there. */
    void store(String name, byte[] sealedBlob);

    /** The blob last stored under {@code name}, if any. */
    Optional<byte[]> load(String name);
}
