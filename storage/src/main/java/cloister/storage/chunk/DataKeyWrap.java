package cloister.storage.chunk;

import cloister.crypto.EcdhKey;
import cloister.crypto.Hpke;
import cloister.crypto.HpkeException;
import cloister.crypto.X25519PublicKey;
import cloister.storage.cid.Cid;
import java.nio.charset.StandardCharsets;

/**
 * A file's data key wrapped for one recipient — the owner, or a contract (e.g. the W3A escrow) — with HPKE (RFC 9180
 * base mode, X25519 / HKDF-SHA256 / AES-256-GCM). info = ASCII {@value #INFO_LABEL} ‖ the file's CID bytes, so a
 * wrapped key opens only for the file it was made for. Wire format {@code enc (32) ‖ ciphertext (48)}.
 */
public final class DataKeyWrap {
    public static final String INFO_LABEL = "cloister/data-key/v1";
    private static final byte[] INFO_DOMAIN = INFO_LABEL.getBytes(StandardCharsets.US_ASCII);
    /** 32 bytes of encapsulated key, 32 of data key, 16 of tag. */
    public static final int WRAPPED_LENGTH = 80;

    private DataKeyWrap() {}

    /**
     * The owner's storage key pair, derived from the account's signing seed: HKDF-SHA256(salt "cloister/storage-owner/v1",
     * seed, info "x25519") as an X25519 secret. The same account always unwraps its files' keys; nothing extra to keep.
     */
    public static EcdhKey ownerKey(cloister.crypto.SigningKey owner) {
        byte[] seed = owner.seed(cloister.crypto.SecretAccess.insecure());
        try {
            return EcdhKey.fromSecret(cloister.crypto.Hkdf.derive("cloister/storage-owner/v1".getBytes(StandardCharsets.US_ASCII), seed,
                    "x25519".getBytes(StandardCharsets.US_ASCII), 32));
        } finally {
            java.util.Arrays.fill(seed, (byte) 0);
        }
    }

    public static byte[] wrap(X25519PublicKey recipient, Cid file, byte[] dataKey) {
        if (dataKey.length != 32) {
            throw new IllegalArgumentException("a data key is 32 bytes");
        }
        return Hpke.seal(Hpke.Suite.CLOISTER, recipient, info(file), new byte[0], dataKey).encode();
    }

    /** @throws HpkeException if the wrap is for another key or file, or altered */
    public static byte[] unwrap(EcdhKey recipient, Cid file, byte[] wrapped) throws HpkeException {
        return Hpke.open(Hpke.Suite.CLOISTER, recipient, Hpke.Sealed.decode(wrapped), info(file), new byte[0]);
    }

    private static byte[] info(Cid file) {
        byte[] cid = file.bytes();
        byte[] info = new byte[INFO_DOMAIN.length + cid.length];
        System.arraycopy(INFO_DOMAIN, 0, info, 0, INFO_DOMAIN.length);
        System.arraycopy(cid, 0, info, INFO_DOMAIN.length, cid.length);
        return info;
    }
}
