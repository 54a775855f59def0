package cloister.proto;

/**
 * Key material for one worker, HPKE-sealed to its registered ECDH key (RFC 9180 base mode, X25519 / HKDF-SHA256 /
 * AES-256-GCM). Only the recipient's enclave can open it; on chain it is ciphertext. What it holds depends on the
 * message carrying it (master-key history, a contract key) — see docs/keys.md.
 *
 * @param sealed HPKE enc (32 bytes) ‖ ciphertext
 */
public record KeyShare(WorkerId recipient, byte[] sealed) {
    public static final int MAX_SEALED = 8 * 1024;

    public KeyShare {
        if (sealed.length > MAX_SEALED) {
            throw new IllegalArgumentException("sealed key share too large");
        }
        sealed = sealed.clone();
    }

    @Override
    public byte[] sealed() {
        return sealed.clone();
    }

    void write(CanonicalWriter w) {
        w.fixed(recipient.bytes()).bytes(sealed);
    }

    static KeyShare read(CanonicalReader r) {
        return new KeyShare(WorkerId.of(r.fixed(32, "recipient")), r.bytes(MAX_SEALED, "sealed key"));
    }
}
