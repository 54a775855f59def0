package cloister.tee;

import java.security.SecureRandom;

/**
 * What a TEE offers the code inside it: its measurement, quotes binding 64 bytes of report data, sealing to the
 * measurement, and randomness. The worker's enclave code uses only this; the host never sees the enclave's keys.
 */
public interface EnclavePlatform {
    Platform platform();

    /** The measurement of the code running in this enclave. */
    Measurement measurement();

    /**
     * A quote binding {@code reportData} (at most 64 bytes, zero-padded) to this enclave's measurement, with the
     * collateral a verifier needs.
     */
    Evidence quote(byte[] reportData);

    /**
     * Encrypts {@code plaintext} so that only an enclave with the same measurement on the same machine can read it.
     * {@code label} names what is sealed (bound as associated data: a blob sealed as one thing does not unseal as
     * another).
     */
    byte[] seal(String label, byte[] plaintext);

    /** @throws SealingException if the blob was sealed by another measurement or machine, or was altered */
    byte[] unseal(String label, byte[] sealed) throws SealingException;

    /** The enclave's source of randomness (key generation). Never used by deterministic contract execution. */
    SecureRandom random();
}
