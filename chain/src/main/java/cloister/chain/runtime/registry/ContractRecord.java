package cloister.chain.runtime.registry;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.X25519PublicKey;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.ContractId;
import java.util.Optional;

/**
 * A deployed confidential contract: its kind (a system contract's name, or {@code wasm}), the cluster that runs it,
 * the master key epoch its key derives from, its public key (clients encrypt commands to it) once published, and for
 * WebAssembly contracts its owner (who may upgrade it) and current code hash ({@link Hash#ZERO} for system contracts).
 */
public record ContractRecord(ContractId id, String kind, int cluster, int keyEpoch, long deployedAt,
                             Optional<X25519PublicKey> publicKey, AccountId owner, Hash codeHash) {
    public static final String WASM = "wasm";
    /** The owner of system contracts: nobody (governance deploys them). */
    public static final AccountId NO_OWNER = AccountId.of(new byte[32]);

    ContractRecord withKey(X25519PublicKey key) {
        return new ContractRecord(id, kind, cluster, keyEpoch, deployedAt, Optional.of(key), owner, codeHash);
    }

    public ContractRecord withCode(Hash code) {
        return new ContractRecord(id, kind, cluster, keyEpoch, deployedAt, publicKey, owner, code);
    }

    public boolean isWasm() {
        return kind.equals(WASM);
    }

    byte[] encode() {
        CanonicalWriter w = new CanonicalWriter(128).hash(id.hash()).string(kind).u32(cluster).u32(keyEpoch).u64(deployedAt)
                .bool(publicKey.isPresent());
        publicKey.ifPresent(k -> w.fixed(k.bytes()));
        w.account(owner).hash(codeHash);
        return w.toByteArray();
    }

    static ContractRecord decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader(bytes);
        ContractRecord c = new ContractRecord(new ContractId(r.hash("contract")), r.string(64, "kind"), r.u32("cluster"),
                r.u32("key epoch"), r.u64("deployed at"),
                r.bool("has key") ? Optional.of(X25519PublicKey.of(r.fixed(32, "key"))) : Optional.empty(),
                r.account("owner"), r.hash("code hash"));
        r.end("contract");
        return c;
    }
}
