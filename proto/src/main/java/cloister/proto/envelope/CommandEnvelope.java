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
 * A confidential command as it travels on chain ({@code contracts.pushCommand}): HPKE base mode (RFC 9180,
 * DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM) sealed to the contract's public key. Wire format:
 * {@code enc (32 bytes) ‖ ciphertext}.
 *
 * <ul>
 *   <li>{@code info} = ASCII {@value #INFO_LABEL} ‖ genesis hash (32) ‖ contract id (32): a command for one
 *       contract on one network does not open for another;
 *   <li>{@code aad} = the transaction sender's account (32 bytes): a ciphertext copied into another account's
 *       transaction does not open, so nobody can replay someone else's command as their own.
 * </ul>
 * See docs/keys.md.
 */
public final class CommandEnvelope {
    public static final String INFO_LABEL = "cloister/command/v1";
    private static final byte[] INFO_DOMAIN = INFO_LABEL.getBytes(StandardCharsets.US_ASCII);

    private CommandEnvelope() {}

    /** Seals {@code command} for {@code contract}, to be sent by {@code sender} (client side). */
    public static byte[] seal(X25519PublicKey contractKey, Hash genesisHash, ContractId contract, AccountId sender, byte[] command) {
        return Hpke.seal(Hpke.Suite.CLOISTER, contractKey, info(genesisHash, contract), sender.bytes(), command).encode();
    }

    /**
     * Opens a command (enclave side).
     *
     * @throws HpkeException if it is malformed, altered, for another contract or network, or sent by another account
     */
    public static byte[] open(EcdhKey contractKey, Hash genesisHash, ContractId contract, AccountId sender, byte[] sealed)
            throws HpkeException {
        return Hpke.open(Hpke.Suite.CLOISTER, contractKey, Hpke.Sealed.decode(sealed), info(genesisHash, contract), sender.bytes());
    }

    static byte[] info(Hash genesisHash, ContractId contract) {
        return info(INFO_DOMAIN, genesisHash, contract);
    }

    /** HPKE info shared by the contract envelopes: {@code domain ‖ genesis hash ‖ contract id}. */
    static byte[] info(byte[] domain, Hash genesisHash, ContractId contract) {
        byte[] info = new byte[domain.length + 64];
        System.arraycopy(domain, 0, info, 0, domain.length);
        genesisHash.copyTo(info, domain.length);
        contract.hash().copyTo(info, domain.length + 32);
        return info;
    }
}
