package cloister.sdk;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.X25519PublicKey;
import cloister.proto.ContractId;
import cloister.proto.WorkerId;
import java.util.List;
import java.util.Optional;

/**
 * A deployed confidential contract.
 *
 * @param publicKey commands are encrypted to it; empty until a gatekeeper published it
 * @param workers   the workers of its cluster (they execute its commands and answer its queries)
 */
public record ContractInfo(ContractId id, String kind, int cluster, int keyEpoch, Optional<X25519PublicKey> publicKey,
                           List<WorkerId> workers, Optional<AccountId> owner, Optional<Hash> codeHash) {
    public ContractInfo {
        workers = List.copyOf(workers);
    }

    /** A WebAssembly contract (else a Java system contract). */
    public boolean isWasm() {
        return kind.equals("wasm");
    }
}
