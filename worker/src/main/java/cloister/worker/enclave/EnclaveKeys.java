package cloister.worker.enclave;

import cloister.common.Hash;
import cloister.crypto.EcdhKey;
import cloister.crypto.SecretAccess;
import cloister.crypto.SigningKey;
import cloister.proto.CanonicalReader;
import cloister.proto.CanonicalWriter;
import cloister.proto.MalformedException;
import cloister.proto.WorkerId;
import cloister.worker.EnclaveError;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * The worker's own keys: the identity (Ed25519, signs everything the worker says) and the ECDH key (X25519,
 * receives encrypted queries and key shares). Generated inside from the platform's randomness on first start,
 * sealed as {@value #BLOB}: {@code u8 version = 1 ‖ hash genesis ‖ identity seed (32) ‖ ECDH secret (32)}. The
 * genesis hash binds them to one network: an enclave initialized for one network refuses to start for another.
 */
final class EnclaveKeys {
    static final String BLOB = "keys";
    private static final int VERSION = 1;

    final Hash genesisHash;
    final SigningKey identity;
    final EcdhKey ecdh;
    final WorkerId id;

    private EnclaveKeys(Hash genesisHash, SigningKey identity, EcdhKey ecdh) {
        this.genesisHash = genesisHash;
        this.identity = identity;
        this.ecdh = ecdh;
        this.id = WorkerId.of(identity.account());
    }

    /** Restores the sealed keys, or generates and seals new ones if there are none. */
    static EnclaveKeys loadOrCreate(SealedStore store, SecureRandom random, Hash genesisHash) throws EnclaveFailure {
        Optional<byte[]> sealed = store.load(BLOB);
        if (sealed.isEmpty()) {
            EnclaveKeys keys = new EnclaveKeys(genesisHash, SigningKey.generate(random), EcdhKey.generate(random));
            store.store(BLOB, keys.encode());
            return keys;
        }
        EnclaveKeys keys;
        try {
            CanonicalReader r = new CanonicalReader(sealed.get());
            if (r.u8("version") != VERSION) {
                throw new MalformedException("unknown keys version");
            }
            keys = new EnclaveKeys(r.hash("genesis"), SigningKey.fromSeed(r.fixed(32, "identity")), EcdhKey.fromSecret(r.fixed(32, "ecdh")));
            r.end("keys");
        } catch (MalformedException e) {
            throw new EnclaveFailure(EnclaveError.STATE_CORRUPT, "the sealed keys do not decode: " + e.getMessage());
        }
        if (!keys.genesisHash.equals(genesisHash)) {
            throw new EnclaveFailure(EnclaveError.WRONG_NETWORK, "this worker's keys were created for the network with genesis "
                    + keys.genesisHash.shortHex() + "…, not " + genesisHash.shortHex() + "…: use a new data directory for another network");
        }
        return keys;
    }

    private byte[] encode() {
        return new CanonicalWriter(100).u8(VERSION).hash(genesisHash).fixed(identity.seed(SecretAccess.insecure()))
                .fixed(ecdh.secret(SecretAccess.insecure())).toByteArray();
    }

    @Override
    public String toString() {
        return "EnclaveKeys[" + id + ", secrets hidden]";
    }
}
