package cloister.worker;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Sealed blobs in memory (a host whose "disk" survives enclave restarts within a test). */
public final class MemoryHost implements EnclaveHost {
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();

    @Override
    public void store(String name, byte[] sealedBlob) {
        blobs.put(name, sealedBlob.clone());
    }

    @Override
    public Optional<byte[]> load(String name) {
        return Optional.ofNullable(blobs.get(name)).map(byte[]::clone);
    }

    public Map<String, byte[]> blobs() {
        return blobs;
    }
}
