package cloister.crypto;

import cloister.common.Hash;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 from the JDK (hardware intrinsics on x86-64 and ARMv8). Thread-safe. */
public final class Sha256 {
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    });

    private Sha256() {}

    public static Hash hash(byte[] data) {
        return Hash.wrap(digest(data));
    }

    public static byte[] digest(byte[] data) {
        MessageDigest md = DIGEST.get();
        md.reset();
        return md.digest(data);
    }

    /** SHA-256 over the concatenation of the parts. */
    public static Hash hash(byte[]... parts) {
        MessageDigest md = DIGEST.get();
        md.reset();
        for (byte[] p : parts) {
            md.update(p);
        }
        return Hash.wrap(md.digest());
    }

    /** A fresh SHA-256 digest for incremental hashing (not shared: the caller owns it). */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** SHA-256 of one prefix byte followed by the parts (domain-separated node hashing). */
    public static Hash hashTagged(byte tag, byte[]... parts) {
        MessageDigest md = DIGEST.get();
        md.reset();
        md.update(tag);
        for (byte[] p : parts) {
            md.update(p);
        }
        return Hash.wrap(md.digest());
    }
}
