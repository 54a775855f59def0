package cloister.proto.envelope;

import cloister.common.Hash;
import cloister.crypto.AccountId;
import cloister.crypto.EcdhKey;
import cloister.crypto.Hpke;
import cloister.crypto.HpkeException;
import cloister.crypto.X25519PublicKey;
import cloister.proto.ContractId;
import java.nio.charset.StandardCharsets;

/**
 * A WebAssembly contract's constructor arguments as they travel on chain ({@code contracts.instantiate}): the
 * contract's own key does not exist before the instantiation, so they are HPKE-sealed (RFC 9180 base mode,
 * X25519 / HKDF-SHA256 / AES-256-GCM) to the public key of the cluster it is instantiated in. Wire format:
 * {@code enc (32) ‖ ciphertext}; info = ASCII {@value #INFO_LABEL} ‖ genesis hash ‖ contract id (known in advance:
 * it derives from deployer, code, cluster and salt); aad = the deployer's account.
 */
public final class ConstructorEnvelope {
    public static final String INFO_LABEL = "cloister/constructor/v1";
    private static final byte[] INFO_DOMAIN = INFO_LABEL.getBytes(StandardCharsets.US_ASCII);

    private ConstructorEnvelope() {}

    public static byte[] seal(X25519PublicKey clusterKey, Hash genesisHash, ContractId contract, AccountId deployer, byte[] args) {
        return Hpke.seal(Hpke.Suite.CLOISTER, clusterKey, info(genesisHash, contract), deployer.bytes(), args).encode();
    }

    /** @throws HpkeException if the arguments are altered, for another contract or network, or from another deployer */
    public static byte[] open(EcdhKey clusterKey, Hash genesisHash, ContractId contract, AccountId deployer, byte[] sealed)
            throws HpkeException {
        return Hpke.open(Hpke.Suite.CLOISTER, clusterKey, Hpke.Sealed.decode(sealed), info(genesisHash, contract), deployer.bytes());
    }

    static byte[] info(Hash genesisHash, ContractId contract) {
        return CommandEnvelope.info(INFO_DOMAIN, genesisHash, contract);
    }
}
