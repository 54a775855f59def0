package cloister.worker.enclave;

import cloister.tee.EnclavePlatform;
import cloister.tee.SealingException;
import cloister.worker.EnclaveError;
import cloister.worker.EnclaveHost;
import java.util.Optional;

/**
 * The enclave's persistence: plaintext is sealed by the platform (to this measurement on this machine) before it
 * goes to the host, under the label {@code cloister/worker/<name>/v1}, so a blob stored as one thing never opens as
 * another.
 */
final class SealedStore {
    private final EnclavePlatform platform;
    private final EnclaveHost host;

    SealedStore(EnclavePlatform platform, EnclaveHost host) {
        this.platform = platform;
        this.host = host;
    }

    void store(String name, byte[] plaintext) {
        host.store(name, platform.seal(label(name), plaintext));
    }

    /** @throws EnclaveFailure {@code SEALED_ELSEWHERE} if the blob exists but does not unseal here */
    Optional<byte[]> load(String name) throws EnclaveFailure {
        Optional<byte[]> blob = host.load(name);
        if (blob.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(platform.unseal(label(name), blob.get()));
        } catch (SealingException e) {
            throw new EnclaveFailure(EnclaveError.SEALED_ELSEWHERE, "the sealed '" + name + "' in this data directory does not"
                    + " open in this enclave: it was sealed by another worker build (measurement) or on another machine, or"
                    + " it was altered. Use the build and machine that created it, or a new data directory.");
        }
    }

    private static String label(String name) {
        return "cloister/worker/" + name + "/v1";
    }
}
