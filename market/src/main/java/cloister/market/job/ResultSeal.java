package cloister.market.job;

import cloister.common.Hash;
import cloister.crypto.EcdhKey;
import cloister.crypto.Hkdf;
import cloister.crypto.Hpke;
import cloister.crypto.HpkeException;
import cloister.crypto.SecretAccess;
import cloister.crypto.SigningKey;
import cloister.crypto.X25519PublicKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A job's result sealed to its buyer: HPKE (RFC 9180 base mode, X25519 / HKDF-SHA256 / AES-256-GCM) to the 32-byte
 * X25519 result key the buyer named in {@code submitJob}, with info = ASCII {@value #INFO_LABEL} ‖ genesis hash ‖
 * u64 job id, so a sealed result opens only as the result of that job on that network. The worker signs the sealed
 * bytes in its {@code JobResult} message and the chain publishes {@code SHA-256(sealed)} as the result hash: the
 * ciphertext is authenticated by the worker's signature, and nobody but the buyer learns the numbers — not even by
 * guessing a small result against its hash.
 */
public final class ResultSeal {
    public static final String INFO_LABEL = "cloister/w3a-result/v1";

    private ResultSeal() {}

    /**
     * The buyer's result key pair, derived from the account's signing seed: HKDF-SHA256(salt
     * "cloister/w3a-buyer/v1", seed, info "x25519"). The same account can always open its jobs' results.
     */
    public static EcdhKey buyerKey(SigningKey buyer) {
        byte[] seed = buyer.seed(SecretAccess.insecure());
        try {
            return EcdhKey.fromSecret(Hkdf.derive("cloister/w3a-buyer/v1".getBytes(StandardCharsets.US_ASCII), seed,
                    "x25519".getBytes(StandardCharsets.US_ASCII), 32));
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    public static byte[] seal(X25519PublicKey buyer, Hash genesis, long job, byte[] result) {
        return Hpke.seal(Hpke.Suite.CLOISTER, buyer, info(genesis, job), new byte[0], result).encode();
    }

    /** @throws HpkeException if the result is for another key, job or network, or was altered */
    public static byte[] open(EcdhKey buyer, Hash genesis, long job, byte[] sealed) throws HpkeException {
        return Hpke.open(Hpke.Suite.CLOISTER, buyer, Hpke.Sealed.decode(sealed), info(genesis, job), new byte[0]);
    }

    private static byte[] info(Hash genesis, long job) {
        byte[] label = INFO_LABEL.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(label.length + Hash.LENGTH + 8).put(label).put(genesis.bytes()).putLong(job).array();
    }
}
