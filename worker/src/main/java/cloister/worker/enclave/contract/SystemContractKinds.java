package cloister.worker.enclave.contract;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/** The system contracts this worker build implements, by kind name. Immutable. */
public final class SystemContractKinds {
    private final Map<String, Supplier<SystemContract>> kinds;

    private SystemContractKinds(Map<String, Supplier<SystemContract>> kinds) {
        this.kinds = Map.copyOf(kinds);
    }

    /** The kinds of this release: {@code secret-notes}. */
    public static SystemContractKinds standard() {
        return new SystemContractKinds(Map.of(SecretNotes.KIND, SecretNotes::new));
    }

    /** These kinds plus {@code kind} (tests, later releases). */
    public SystemContractKinds with(String kind, Supplier<SystemContract> factory) {
        Map<String, Supplier<SystemContract>> m = new TreeMap<>(kinds);
        m.put(kind, factory);
        return new SystemContractKinds(m);
    }

    /** A fresh (empty) instance of {@code kind}, if this build implements it. */
    public Optional<SystemContract> create(String kind) {
        Supplier<SystemContract> f = kinds.get(kind);
        return f == null ? Optional.empty() : Optional.of(f.get());
    }

    public boolean implementsKind(String kind) {
        return kinds.containsKey(kind);
    }

    public Set<String> kinds() {
        return new TreeMap<>(kinds).keySet();
    }
}
