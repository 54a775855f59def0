package cloister.proto;

import cloister.common.Hex;
import cloister.crypto.AccountId;

/**
 * A worker's identity: the Ed25519 public key generated inside its enclave. Everything the worker says is signed
 * with it. Not an account: a worker holds no funds (its operator's account pays for relaying its messages).
 */
public final class WorkerId implements Comparable<WorkerId> {
    public static final int LENGTH = 32;
    private final AccountId key;

    private WorkerId(AccountId key) {
        this.key = key;
    }

    public static WorkerId of(byte[] publicKey) {
        if (publicKey.length != LENGTH) {
            throw new IllegalArgumentException("a worker id is a 32-byte Ed25519 public key, got " + publicKey.length + " bytes");
        }
        return new WorkerId(AccountId.of(publicKey));
    }

    /** The worker whose identity key is this Ed25519 public key (e.g. {@code signingKey.account()}). */
    public static WorkerId of(AccountId publicKey) {
        return new WorkerId(publicKey);
    }

    /** The identity key as an Ed25519 public key. */
    public AccountId publicKey() {
        return key;
    }

    /** Parses the 64-digit hex form (with or without 0x). */
    public static WorkerId parse(String text) {
        String t = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        if (t.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("a worker id is 64 hex digits");
        }
        return of(Hex.decode(t));
    }

    public byte[] bytes() {
        return key.bytes();
    }

    public String hex() {
        return key.hex();
    }

    public boolean verify(byte[] message, byte[] signature) {
        return key.verify(message, signature);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkerId w && key.equals(w.key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    @Override
    public int compareTo(WorkerId o) {
        return key.compareTo(o.key);
    }

    @Override
    public String toString() {
        return hex();
    }
}
