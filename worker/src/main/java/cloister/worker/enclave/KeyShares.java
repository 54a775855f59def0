package cloister.worker.enclave;

import cloister.common.Hash;
import cloister.crypto.EcdhKey;
import cloister.crypto.Hpke;
import cloister.crypto.HpkeException;
import cloister.crypto.X25519PublicKey;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.ContractId;
import cloister.proto.KeyShare;
import cloister.proto.MalformedException;
import cloister.proto.WorkerId;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Key material sent from one enclave to another through the chain: HPKE base mode to the recipient's registered
 * ECDH key, {@code info} = ASCII "cloister/key-share/v1" ‖ genesis hash ‖ recipient worker id ‖ string purpose, so a
 * share opens only for its recipient, on its network, as what it was sent as (docs/keys.md).
 *
 * <ul>
 *   <li>purpose {@value #MASTER_HISTORY}, empty aad: {@code u32 n ‖ n × (u32 epoch ‖ secret (32))}, every epoch so far;
 *   <li>purpose {@value #CONTRACT_KEY}, aad = contract id: the contract secret (32 bytes);
 *   <li>purpose {@value #CLUSTER_KEY}, aad = u32 cluster: the cluster secret (32 bytes).
 * </ul>
 */
final class KeyShares {
    static final String MASTER_HISTORY = "master-key-history";
    static final String CONTRACT_KEY = "contract-key";
    static final String CLUSTER_KEY = "cluster-key";
    private static final byte[] DOMAIN = "cloister/key-share/v1".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_EPOCHS = 200;

    private KeyShares() {}

    static KeyShare sealHistory(Hash genesis, WorkerId recipient, X25519PublicKey recipientKey, TreeMap<Integer, byte[]> history) {
        CanonicalWriter w = new CanonicalWriter(4 + 36 * history.size()).u32(history.size());
        history.forEach((epoch, secret) -> w.u32(epoch).fixed(secret));
        return seal(genesis, recipient, recipientKey, MASTER_HISTORY, new byte[0], w.toByteArray());
    }

    /** @throws HpkeException if it does not open; MalformedException if it opens but is not a history */
    static TreeMap<Integer, byte[]> openHistory(Hash genesis, WorkerId me, EcdhKey myKey, KeyShare share) throws HpkeException {
        byte[] plain = open(genesis, me, myKey, MASTER_HISTORY, new byte[0], share);
        CanonicalReader r = new CanonicalReader(plain);
        int n = r.u32("epochs");
        if (n > MAX_EPOCHS) {
            throw new MalformedException("too many epochs");
        }
        TreeMap<Integer, byte[]> out = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            out.put(r.u32("epoch"), r.fixed(KeyDerivation.SECRET_LENGTH, "master secret"));
        }
        r.end("master key history");
        return out;
    }

    static KeyShare sealContractKey(Hash genesis, WorkerId recipient, X25519PublicKey recipientKey, ContractId contract, byte[] secret) {
        return seal(genesis, recipient, recipientKey, CONTRACT_KEY, contract.bytes(), secret);
    }

    static byte[] openContractKey(Hash genesis, WorkerId me, EcdhKey myKey, ContractId contract, KeyShare share) throws HpkeException {
        byte[] plain = open(genesis, me, myKey, CONTRACT_KEY, contract.bytes(), share);
        if (plain.length != KeyDerivation.SECRET_LENGTH) {
            throw new MalformedException("a contract secret is 32 bytes");
        }
        return plain;
    }

    static KeyShare sealClusterKey(Hash genesis, WorkerId recipient, X25519PublicKey recipientKey, int cluster, byte[] secret) {
        return seal(genesis, recipient, recipientKey, CLUSTER_KEY, clusterAad(cluster), secret);
    }

    static byte[] openClusterKey(Hash genesis, WorkerId me, EcdhKey myKey, int cluster, KeyShare share) throws HpkeException {
        byte[] plain = open(genesis, me, myKey, CLUSTER_KEY, clusterAad(cluster), share);
        if (plain.length != KeyDerivation.SECRET_LENGTH) {
            throw new MalformedException("a cluster secret is 32 bytes");
        }
        return plain;
    }

    private static byte[] clusterAad(int cluster) {
        return new CanonicalWriter(4).u32(cluster).toByteArray();
    }

    private static KeyShare seal(Hash genesis, WorkerId recipient, X25519PublicKey key, String purpose, byte[] aad, byte[] plain) {
        return new KeyShare(recipient, Hpke.seal(Hpke.Suite.CLOISTER, key, info(genesis, recipient, purpose), aad, plain).encode());
    }

    private static byte[] open(Hash genesis, WorkerId me, EcdhKey key, String purpose, byte[] aad, KeyShare share) throws HpkeException {
        return Hpke.open(Hpke.Suite.CLOISTER, key, Hpke.Sealed.decode(share.sealed()), info(genesis, me, purpose), aad);
    }

    private static byte[] info(Hash genesis, WorkerId recipient, String purpose) {
        return new CanonicalWriter(128).fixed(DOMAIN).hash(genesis).fixed(recipient.bytes()).string(purpose).toByteArray();
    }

    /** Copies a history so the caller's map and arrays are not shared. */
    static TreeMap<Integer, byte[]> copy(Map<Integer, byte[]> history) {
        TreeMap<Integer, byte[]> out = new TreeMap<>();
        history.forEach((e, s) -> out.put(e, s.clone()));
        return out;
    }
}
