package cloister.worker.enclave;

import cloister.crypto.EcdhKey;
import cloister.crypto.Hkdf;
import cloister.proto.CanonicalWriter;
import cloister.proto.ContractId;
import java.nio.charset.StandardCharsets;

/**
 * The key hierarchy below a master secret (docs/keys.md). Every step is HKDF-SHA256 (RFC 5869) with an empty salt
 * and a versioned label as {@code info}, 32 bytes out; an X25519 key is the 32 bytes taken as its secret scalar
 * (clamped, RFC 7748). Gatekeepers and the workers that receive a contract secret all derive the same keys.
 *
 * <pre>
 * master public key  = X25519(HKDF(master secret, "cloister/master-key/v1"))
 * cluster secret     = HKDF(master secret of the cluster's epoch, "cloister/cluster-key/v1" ‖ u32 cluster)
 * cluster public key = X25519(cluster secret)
 * contract secret    = HKDF(cluster secret of the contract's epoch, "cloister/contract-key/v1" ‖ contract id)
 * contract key       = X25519(contract secret)
 * </pre>
 */
final class KeyDerivation {
    static final String MASTER_LABEL = "cloister/master-key/v1";
    static final String CLUSTER_LABEL = "cloister/cluster-key/v1";
    static final String CONTRACT_LABEL = "cloister/contract-key/v1";
    static final int SECRET_LENGTH = 32;

    private KeyDerivation() {}

    static EcdhKey masterKey(byte[] masterSecret) {
        return EcdhKey.fromSecret(Hkdf.derive(null, masterSecret, ascii(MASTER_LABEL), SECRET_LENGTH));
    }

    static byte[] clusterSecret(byte[] masterSecret, int cluster) {
        return Hkdf.derive(null, masterSecret, new CanonicalWriter(32).fixed(ascii(CLUSTER_LABEL)).u32(cluster).toByteArray(),
                SECRET_LENGTH);
    }

    static byte[] contractSecret(byte[] clusterSecret, ContractId contract) {
        return Hkdf.derive(null, clusterSecret, new CanonicalWriter(64).fixed(ascii(CONTRACT_LABEL)).hash(contract.hash()).toByteArray(),
                SECRET_LENGTH);
    }

    static EcdhKey keyOf(byte[] secret) {
        return EcdhKey.fromSecret(secret);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
