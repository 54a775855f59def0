package cloister.crypto;

import java.security.SecureRandom;

/**
 * An Ed25519 private key (its 32-byte RFC 8032 seed) with its account. It never prints its secret, and the seed
 * can only be read with {@link #seed(SecretAccess)}.
 */
public final class SigningKey {
    private final byte[] seed;
    private final byte[] publicKey;
    private final AccountId account;

    private SigningKey(byte[] seed) {
        this.seed = seed;
        this.publicKey = Ed25519.publicKey(seed);
        this.account = AccountId.of(publicKey);
    }

    public static SigningKey fromSeed(byte[] seed) {
        if (seed.length != Ed25519.SEED_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 seed is 32 bytes, got " + seed.length);
        }
        return new SigningKey(seed.clone());
    }

    public static SigningKey generate(SecureRandom random) {
        return new SigningKey(Ed25519.randomSeed(random));
    }

    public static SigningKey generate() {
        return generate(new SecureRandom());
    }

    public AccountId account() {
        return account;
    }

    public byte[] sign(byte[] message) {
        return Ed25519.sign(seed, publicKey, message);
    }

    /** The secret seed. Callers must keep it out of logs, errors and unencrypted files. */
    public byte[] seed(SecretAccess access) {
        if (access == null) {
            throw new NullPointerException("secret access token");
        }
        return seed.clone();
    }

    @Override
    public String toString() {
        return "SigningKey[" + account.address() + ", secret hidden]";
    }
}
