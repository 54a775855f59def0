package cloister.proto.envelope;

import cloister.common.Hash;
import cloister.crypto.EcdhKey;
import cloister.crypto.Hkdf;
import cloister.crypto.Hpke;
import cloister.crypto.HpkeException;
import cloister.proto.ContractId;
import java.nio.charset.StandardCharsets;

/**
 * A WebAssembly contract's private event as published on chain: HPKE-sealed (RFC 9180 base mode, X25519 /
 * HKDF-SHA256 / AES-256-GCM) to the contract's public key, so only holders of the contract key (the workers of its
 * cluster) can open it. Wire format {@code enc (32) ‖ ciphertext}; info = ASCII {@value #INFO_LABEL} ‖ genesis hash
 * ‖ contract id; aad = the call's transaction hash ‖ the event's index (u32, big-endian).
 *
 * <p>Every worker of the cluster reports the call, and the chain compares the reports byte for byte, so the sealing
 * is deterministic: the ephemeral key is {@code DeriveKeyPair(HKDF-SHA256(salt = none, ikm = contract secret,
 * info = "cloister/event-ephemeral/v1" ‖ tx hash ‖ index))}. That seed is secret (it needs the contract secret) and unique per event
 * (a transaction is one call; the index numbers its events), which is what a deterministic ephemeral needs.
 */
public final class EventEnvelope {
    public static final String INFO_LABEL = "cloister/contract-event/v1";
    private static final byte[] INFO_DOMAIN = INFO_LABEL.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EPHEMERAL_INFO = "cloister/event-ephemeral/v1".getBytes(StandardCharsets.US_ASCII);
    /** What sealing adds to an event: the 32-byte encapsulated key and the 16-byte tag. */
    public static final int OVERHEAD = Hpke.ENC_LENGTH + Hpke.TAG_LENGTH;

    private EventEnvelope() {}

    /** Seals event {@code index} of the call in {@code txHash}; the same arguments always give the same bytes. */
    public static byte[] seal(EcdhKey contractKey, byte[] contractSecret, Hash genesisHash, ContractId contract, Hash txHash,
                              int index, byte[] event) {
        byte[] aad = aad(txHash, index);
        byte[] info = new byte[EPHEMERAL_INFO.length + aad.length];
        System.arraycopy(EPHEMERAL_INFO, 0, info, 0, EPHEMERAL_INFO.length);
        System.arraycopy(aad, 0, info, EPHEMERAL_INFO.length, aad.length);
        byte[] seed = Hkdf.derive(null, contractSecret, info, 32);
        return Hpke.sealDeterministic(Hpke.Suite.CLOISTER, contractKey.publicKey(), info(genesisHash, contract), aad, event, seed)
                .encode();
    }

    /** @throws HpkeException if the bytes are altered, or belong to another event, call, contract or network */
    public static byte[] open(EcdhKey contractKey, Hash genesisHash, ContractId contract, Hash txHash, int index, byte[] sealed)
            throws HpkeException {
        return Hpke.open(Hpke.Suite.CLOISTER, contractKey, Hpke.Sealed.decode(sealed), info(genesisHash, contract), aad(txHash, index));
    }

    static byte[] info(Hash genesisHash, ContractId contract) {
        return CommandEnvelope.info(INFO_DOMAIN, genesisHash, contract);
    }

    private static byte[] aad(Hash txHash, int index) {
        byte[] aad = new byte[36];
        txHash.copyTo(aad, 0);
        aad[32] = (byte) (index >>> 24);
        aad[33] = (byte) (index >>> 16);
        aad[34] = (byte) (index >>> 8);
        aad[35] = (byte) index;
        return aad;
    }
}
