package cloister.crypto;

import cloister.common.Hex;
import java.util.Arrays;

/**
 * An account: an Ed25519 public key (32 bytes). Its human-readable form is the address, bech32m
 * (BIP-350) with human-readable part {@value #HRP}: the checksum detects any error in up to 4 characters.
 */
public final class AccountId implements Comparable<AccountId> {
    public static final String HRP = "clo";
    public static final int LENGTH = 32;

    private final byte[] key;
    private volatile Object verifierCache;

    private AccountId(byte[] key) {
        this.key = key;
    }

    public static AccountId of(byte[] publicKey) {
        if (publicKey.length != LENGTH) {
            throw new IllegalArgumentException("an account id is a 32-byte public key, got " + publicKey.length + " bytes");
        }
        return new AccountId(publicKey.clone());
    }

    /**
     * Parses an address ({@code clo1…}) or a 64-digit hex public key.
     *
     * @throws IllegalArgumentException naming what is wrong (bad checksum, wrong prefix, wrong length)
     */
    public static AccountId parse(String text) {
        String s = text.trim();
        if (s.length() == 64 || (s.length() == 66 && (s.startsWith("0x") || s.startsWith("0X")))) {
            return of(Hex.decode(s));
        }
        Bech32m.Decoded d = Bech32m.decode(s);
        if (!d.hrp().equals(HRP)) {
            throw new IllegalArgumentException("address prefix is '" + d.hrp() + "', expected '" + HRP + "'");
        }
        return of(d.data());
    }

    public byte[] bytes() {
        return key.clone();
    }

    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(key, 0, dst, offset, LENGTH);
    }

    public String address() {
        return Bech32m.encode(HRP, key);
    }

    public String hex() {
        return Hex.encode(key);
    }

    /** Verifies an Ed25519 signature by this account over {@code message}. */
    public boolean verify(byte[] message, byte[] signature) {
        return Ed25519.verify(this, message, signature);
    }

    /** The raw key, for {@link Ed25519} only: no copy. */
    byte[] raw() {
        return key;
    }

    Object verifierCache() {
        return verifierCache;
    }

    void verifierCache(Object cache) {
        verifierCache = cache;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccountId a && Arrays.equals(key, a.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    @Override
    public int compareTo(AccountId o) {
        return Arrays.compareUnsigned(key, o.key);
    }

    @Override
    public String toString() {
        return address();
    }
}
