package cloister.sdk;

import cloister.crypto.AccountId;
import cloister.crypto.DevKeys;
import cloister.crypto.SigningKey;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Turns what a user types into an account or a signer: a dev name ({@code alice} … {@code ferdie}), a keystore key
 * name, a {@code clo1…} address or a 64-digit hex public key. Dev names come first (the keystore refuses them as
 * key names through {@link #checkNewKeyName}).
 */
public final class AccountResolver {
    private final Keystore keystore;

    public AccountResolver(Keystore keystore) {
        this.keystore = keystore;
    }

    /** @throws IllegalArgumentException naming what was expected */
    public AccountId account(String text) {
        String s = text.strip();
        Optional<SigningKey> dev = DevKeys.byName(s);
        if (dev.isPresent()) {
            return dev.get().account();
        }
        Optional<AccountId> stored = keystore.address(s);
        if (stored.isPresent()) {
            return stored.get();
        }
        try {
            return AccountId.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + s + "' is not a dev account, a key in " + keystore.directory()
                    + ", a clo1 address or a 64-digit hex key (" + e.getMessage() + ")");
        }
    }

    /**
     * The signing key for a dev name or a keystore key name; {@code passphrase} is asked only for a keystore key.
     *
     * @throws IllegalArgumentException if it is neither
     */
    public SigningKey signer(String text, Supplier<char[]> passphrase) {
        String s = text.strip();
        Optional<SigningKey> dev = DevKeys.byName(s);
        if (dev.isPresent()) {
            return dev.get();
        }
        if (keystore.contains(s)) {
            return keystore.load(s, passphrase.get());
        }
        throw new IllegalArgumentException("'" + s + "' is not a dev account (" + String.join(", ", DevKeys.NAMES)
                + ") or a key in " + keystore.directory() + " (see `cloister key list`)");
    }

    /** Refuses names that would be shadowed by a dev account. */
    public static void checkNewKeyName(String name) {
        if (DevKeys.byName(name).isPresent()) {
            throw new IllegalArgumentException("'" + name + "' is a dev account name; choose another key name");
        }
    }
}
